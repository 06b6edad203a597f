/**
 * Where the shop's services export telemetry when nobody said: traces to the storefront's own OTLP receiver (its
 * `/otlp/v1/traces`), in OTLP/JSON. The receiver keeps traces only, so no metrics are exported unless
 * `OTEL_METRICS_EXPORTER` asks for them: each would be collected, sent and dropped, and the storefront's last one, at
 * shutdown, would go to a receiver that has stopped. A given `OTEL_EXPORTER_OTLP_ENDPOINT` (a collector, Jaeger)
 * wins, and so does `OTEL_SDK_DISABLED`; a run without the storefront exports nothing.
 */
export function otlpDefaults(
  given: Readonly<Record<string, string | undefined>>,
  storefrontUrl: string | undefined,
): Record<string, string> {
  if (given['OTEL_EXPORTER_OTLP_ENDPOINT'] || !storefrontUrl) return {};
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `${storefrontUrl}/otlp`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    ...(given['OTEL_METRICS_EXPORTER'] ? {} : { OTEL_METRICS_EXPORTER: 'none' }),
  };
}
