import net from 'node:net';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { StartupError } from '../config-error';
import { MessagingRuntime } from '../runtime';
import { applyHttpHygiene, type ClientErrorBody } from './http-hygiene';
import { httpConfig, type HttpConfig } from './http.config';
import { KeepOriginalErrorFilter } from './keep-original-error.filter';
import { PinoNestLogger } from './pino-nest-logger';
import { requestContext } from './request-context.middleware';
import { serviceConfig, type ServiceConfig } from './service.config';
import { StitchServer } from './stitch.server';

export interface BootstrapOptions {
  /** The port when `PORT` is not set. */
  readonly defaultPort: number;
  /** App-specific HTTP set-up (API docs, static files), applied before the routes are sealed by listening. */
  readonly configure?: (app: INestApplication) => void | Promise<void>;
  /** The app's error shape for a client error raised below its routes (a body too large, an undecodable path). */
  readonly clientErrorBody?: ClientErrorBody;
}

/** How long a service that could not listen waits for its consumer and connections to close before it exits. */
const CLOSE_AFTER_FAILURE_MS = 5_000;

/**
 * Starts one service the same way everywhere: HTTP (health, queries) and the message consumer in one process,
 * shut down together. Whatever stops it from starting ends the process with exit code 1 and one line on stderr: a
 * bad setting (ConfigError) or a missing server, entity or port (StartupError) as the line that names it and its
 * fix; anything else as its message. The stack only with LOG_LEVEL=debug (or trace).
 */
export async function bootstrapService(rootModule: Type | DynamicModule, options: BootstrapOptions): Promise<INestApplication> {
  let app: INestApplication | undefined;
  try {
    // Silent while modules are created, so a failure reads as its one line rather than under Nest's stack trace.
    app = await NestFactory.create(rootModule, { logger: false, abortOnError: false });
    const runtime = app.get(MessagingRuntime);
    app.useLogger(new PinoNestLogger(runtime.logger));
    app.use(requestContext);
    applyHttpHygiene(app, app.get<HttpConfig>(httpConfig.KEY), options.clientErrorBody);
    await options.configure?.(app);
    // Deferred so the filter is in place before Nest wires the handlers; it reads global filters only then.
    const microservice = app.connectMicroservice<MicroserviceOptions>(
      { strategy: new StitchServer(runtime) },
      { deferInitialization: true },
    );
    microservice.useGlobalFilters(new KeepOriginalErrorFilter());
    app.enableShutdownHooks();
    const config = app.get<ServiceConfig>(serviceConfig.KEY);
    const port = config.port ?? options.defaultPort;
    const failedToListen = (error: unknown) => {
      throw listenFailure(error, port, config) ?? error;
    };
    // A port that is taken stops the service before its consumer takes any message; listening below still
    // reports the one taken in between.
    await probePort(port, config.host).catch(failedToListen);
    await app.startAllMicroservices();
    await app.listen(port, config.host).catch(failedToListen);
    return app;
  } catch (error) {
    reportStartupFailure(error);
    if (app) await Promise.race([app.close().catch(() => undefined), delay(CLOSE_AFTER_FAILURE_MS)]);
    process.exit(1);
  }
}

/** The one line (and, with LOG_LEVEL=debug or trace, the stacks of the error and its causes) on stderr. */
export function reportStartupFailure(
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
  write: (text: string) => void = (text) => console.error(text),
): void {
  const debug = env['LOG_LEVEL'] === 'debug' || env['LOG_LEVEL'] === 'trace';
  if (error instanceof StartupError) {
    write(error.message);
  } else {
    const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    write(`start-up failed: ${described.split('\n')[0]}${debug ? '' : ' (LOG_LEVEL=debug prints the stack)'}`);
  }
  if (!debug) return;
  for (let current = error, depth = 0; current !== undefined && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    write(`${depth === 0 ? '' : 'caused by: '}${current instanceof Error ? (current.stack ?? current.message) : String(current)}`);
  }
}

/** The HTTP port taken, privileged or on an address this machine does not have: what to change. */
function listenFailure(error: unknown, port: number, config: ServiceConfig): StartupError | undefined {
  const code = (error as { code?: unknown }).code;
  const which = config.port === undefined ? `port ${port} (the default; PORT is not set)` : `port ${port} (PORT)`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(`${which} is in use by another program: stop it or set PORT to a free port (PORT=0 picks one)`, {
        cause: error,
      });
    case 'EACCES':
      return new StartupError(`${which} needs privileges this process lacks: set PORT above 1023`, { cause: error });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(
        `HOST=${config.host} is not an address of this machine: set HOST to 127.0.0.1 (the default) or 0.0.0.0 (every interface)`,
        { cause: error },
      );
    default:
      return undefined;
  }
}

/** Listens on the port (0: any, which still checks the host) and lets it go at once: fails as the app's own listen would. */
function probePort(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
