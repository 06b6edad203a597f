/**
 * Where the shop's services export telemetry when nobody said: the storefront's own OTLP receiver (its
 * `/otlp/v1/traces` and `/otlp/v1/metrics`), in OTLP/JSON. A given `OTEL_EXPORTER_OTLP_ENDPOINT` (a collector,
 * Jaeger) wins, and so does `OTEL_SDK_DISABLED`; a run without the storefront exports nothing.
 */
export function otlpDefaults(
  given: Readonly<Record<string, string | undefined>>,
  storefrontUrl: string | undefined,
): Record<string, string> {
  if (given['OTEL_EXPORTER_OTLP_ENDPOINT'] || !storefrontUrl) return {};
  return { OTEL_EXPORTER_OTLP_ENDPOINT: `${storefrontUrl}/otlp`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
}
