import { diag, DiagLogLevel, metrics, ProxyTracerProvider, trace, type DiagLogger } from '@opentelemetry/api';
import { diagLogLevelFromString, setGlobalErrorHandler } from '@opentelemetry/core';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { exportPlan, type ExportPlan } from './export-plan';
import { isUntracedRequest } from './untraced-requests';
import { nameQuerySpanAfterItsSql } from './pg-span-name';

/** The started SDK. */
export interface Telemetry {
  /**
   * Exports what is buffered now and goes on. A service calls it before its HTTP server closes: the storefront's
   * spans go to its own receiver, which is gone by the time `shutdown` exports the rest.
   */
  flush(): Promise<void>;
  /** Exports what is buffered and stops exporting. */
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
  if (plan.disabled) return { flush: async () => undefined, shutdown: async () => undefined };
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
        ignoreIncomingRequestHook: (request) => isUntracedRequest(request.url),
      }),
      // Nest's own spans name the controller and the handler; a span per Express middleware (ten a request) adds
      // nothing to them but cost. The route still reaches the HTTP span: Express sets it before it checks the list.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER] }),
      new NestInstrumentation(),
      // fetch() goes through undici, not http: the storefront's questions to the services (the prices of an order)
      // would otherwise be missing from the trace, and each answer a trace of its own.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // The outbox relay's and the embedded transport's polling queries would each be a trace a second. Taking a
      // pooled connection is not worth a span per transaction; the pool's wait shows in its metrics.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true, requestHook: nameQuerySpanAfterItsSql }),
    ],
  });
  reportInOneLine(env);
  // The last export can fail (the collector gone first); that must not fail the service's shutdown.
  return {
    flush: () =>
      Promise.all([forceFlush(tracerProviderOf(trace.getTracerProvider())), forceFlush(metrics.getMeterProvider())]).then(
        () => undefined,
        sayExportFailed('an export failed at flush'),
      ),
    shutdown: () => sdk.shutdown().catch(sayExportFailed('the last export failed at shutdown')),
  };
}

/** A failed export at flush or shutdown, said in one line; it must not fail the service's stop. */
function sayExportFailed(what: string): (error: unknown) => void {
  return (error) => console.error(`telemetry: ${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/** The SDK's provider behind the API's global proxy. */
function tracerProviderOf(provider: object): object {
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}

/** The API's provider types have no forceFlush; the SDK's (tracer and meter providers) have. */
async function forceFlush(provider: object): Promise<void> {
  const flushable = provider as { forceFlush?: () => Promise<void> };
  if (typeof flushable.forceFlush === 'function') await flushable.forceFlush();
}

/**
 * The SDK's own diagnostics and the export failures it reports (a collector that is gone, a refused batch), each in one
 * line on stderr: the SDK's defaults print an error's stack as JSON, many lines of it for each failed export of a
 * service whose collector stopped first.
 */
function reportInOneLine(env: NodeJS.ProcessEnv): void {
  const write = (...args: unknown[]) => process.stderr.write(`telemetry: ${args.map(describe).join(' ').replace(/\s+/g, ' ').trim()}\n`);
  const logger: DiagLogger = { error: write, warn: write, info: write, debug: write, verbose: write };
  // Errors only unless OTEL_LOG_LEVEL asks for more: the SDK warns, for one, of every container without /etc/machine-id.
  diag.setLogger(logger, { logLevel: diagLogLevelFromString(env['OTEL_LOG_LEVEL']) ?? DiagLogLevel.ERROR, suppressOverrideMessage: true });
  setGlobalErrorHandler((error) => write(error));
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'message' in value) return String(value.message);
  return JSON.stringify(value) ?? String(value);
}
