import { z } from 'zod';

/**
 * The standard OpenTelemetry variables this decision reads. The SDK reads them itself (and the rest: sampler,
 * batch sizes, headers); they are checked here only so a typo stops the service with a line that names it
 * instead of the SDK falling back silently.
 */
const otelEnv = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false', 'TRUE', 'FALSE', '']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_METRICS_EXPORTER: z.string().optional(),
});

/** Which signals leave the process. */
export interface ExportPlan {
  readonly disabled: boolean;
  readonly traces: boolean;
  readonly metrics: boolean;
}

/**
 * Exporting needs somewhere to export to: with no OTLP endpoint (and no exporter chosen by name, such as
 * `console`), nothing is exported, rather than the SDK's default of retrying http://localhost:4318 forever.
 */
export function exportPlan(env: NodeJS.ProcessEnv): ExportPlan {
  const parsed = otelEnv.safeParse(blankAsUnset(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`OpenTelemetry settings are invalid: ${problems}`);
  }
  const settings = parsed.data;
  const disabled = settings.OTEL_SDK_DISABLED?.toLowerCase() === 'true';
  const anyEndpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
  return {
    disabled,
    traces: !disabled && chosen(settings.OTEL_TRACES_EXPORTER, anyEndpoint || settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined),
    metrics: !disabled && chosen(settings.OTEL_METRICS_EXPORTER, anyEndpoint || settings.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT !== undefined),
  };
}

/** `none` turns a signal off; a named exporter other than otlp needs no endpoint; otlp (the default) needs one. */
function chosen(exporters: string | undefined, hasEndpoint: boolean): boolean {
  const names = (exporters ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.includes('none')) return false;
  if (names.some((name) => name !== 'otlp')) return true;
  return hasEndpoint;
}

function blankAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
