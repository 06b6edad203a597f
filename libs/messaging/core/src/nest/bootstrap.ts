import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { ConfigError } from '../config-error';
import { MessagingRuntime } from '../runtime';
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
}

/**
 * Starts one service the same way everywhere: HTTP (health, queries) and the message consumer in one process,
 * shut down together. A bad setting ends the process with one line naming it.
 */
export async function bootstrapService(rootModule: Type, options: BootstrapOptions): Promise<INestApplication> {
  try {
    // Silent while modules are created, so a bad setting reads as its one line rather than under Nest's stack trace.
    const app = await NestFactory.create(rootModule, { logger: false, abortOnError: false });
    const runtime = app.get(MessagingRuntime);
    app.useLogger(new PinoNestLogger(runtime.logger));
    app.use(requestContext);
    await options.configure?.(app);
    // Deferred so the filter is in place before Nest wires the handlers; it reads global filters only then.
    const microservice = app.connectMicroservice<MicroserviceOptions>(
      { strategy: new StitchServer(runtime) },
      { deferInitialization: true },
    );
    microservice.useGlobalFilters(new KeepOriginalErrorFilter());
    app.enableShutdownHooks();
    await app.startAllMicroservices();
    const config = app.get<ServiceConfig>(serviceConfig.KEY);
    await app.listen(config.port ?? options.defaultPort, config.host);
    return app;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
