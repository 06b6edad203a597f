import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { exportPlan, type ExportPlan } from './export-plan';

/** The started SDK; `shutdown` flushes what is buffered and stops exporting. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for one service. It must run before http, express, @nestjs/core and pg are first
 * required (each app's `src/telemetry.ts`, the first import of its main), because the instrumentations patch
 * those modules as they load. Exporters, protocol (`http/protobuf`, `http/json`, `grpc`), sampler and batching
 * come from the standard `OTEL_*` variables, read by the SDK.
 */
export function startTelemetry(service: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  let plan: ExportPlan;
  try {
    plan = exportPlan(env);
  } catch (error) {
    // Before Nest and its logger: the one line a start-up failure prints, as bootstrapService does.
    console.error((error as Error).message);
    process.exit(1);
  }
  if (plan.disabled) return { shutdown: async () => undefined };
  const sdk = startNodeSdk({
    resourceAttributes: { [ATTR_SERVICE_NAME]: service },
    // An empty list means no provider for that signal: spans stay non-recording and instruments are no-ops.
    ...(plan.traces ? {} : { spanProcessors: [] }),
    ...(plan.metrics ? {} : { metricReaders: [] }),
    // Logs go to stdout as JSON lines (pino); the collectors read them there.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // A receive loop's long polls (SQS) and the exporters' own requests start no trace of their own.
        requireParentforOutgoingSpans: true,
        ignoreIncomingRequestHook: (request) => request.url?.startsWith('/health') ?? false,
      }),
      new ExpressInstrumentation(),
      new NestInstrumentation(),
      // The outbox relay's and the embedded transport's polling queries would each be a trace a second.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  // The last export can fail (the collector gone first); that must not fail the service's shutdown.
  return {
    shutdown: () =>
      sdk.shutdown().catch((error: unknown) => {
        console.error(`telemetry: the last export failed at shutdown: ${error instanceof Error ? error.message : String(error)}`);
      }),
  };
}
