import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Transport } from '@stitch/messaging-core';
import { runService } from '@stitch/persistence';
import { Storefront } from '../../src/app.module';
import type { StubServices } from './stub-services';

const savedEnv = { ...process.env };

export interface TestStorefrontOptions {
  readonly stubs: StubServices;
  readonly databaseUrl: string;
  readonly operatorToken: string;
  /** What its bus sends with: the local transport's place in the app. */
  readonly transport: Transport;
  /** Settings over the defaults below; one given as undefined is unset. */
  readonly env?: Record<string, string | undefined>;
}

/**
 * A storefront in this process on 127.0.0.1 and a free port, against the stubs and the test database, with the
 * settings a user leaves alone unset (they are the defaults the specs prove) unless `env` sets them.
 */
export async function startTestStorefront(options: TestStorefrontOptions): Promise<{ app: INestApplication; base: string }> {
  const { stubs } = options;
  process.env = {
    ...savedEnv,
    INVENTORY_URL: stubs.inventoryUrl,
    ORDER_URL: stubs.orderUrl,
    NOTIFICATION_URL: stubs.notificationUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: 'storefront-1',
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET: 'a-test-key-of-the-storefront-int-specs-0123456789',
    LOG_LEVEL: 'silent',
    MESSAGING_TRANSPORT: 'local',
    MESSAGING_FLOW: 'off',
    OPERATOR_TOKEN: options.operatorToken,
    NODE_ENV: undefined,
    TRACE_VIEW_ENABLED: undefined,
    TRACE_VIEW_MAX_SPANS: undefined,
    TRACE_VIEW_MAX_BODY_BYTES: undefined,
    RATE_LIMIT_POSTS_PER_MINUTE: undefined,
    TRUST_PROXY: undefined,
    ALLOWED_ORIGINS: undefined,
    ...options.env,
  };
  for (const [name, value] of Object.entries(process.env)) if (value === undefined) delete process.env[name];
  const app = await runService(Storefront, { transports: { local: () => options.transport }, defaultPort: 0 });
  return { app, base: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

/** The process's settings as they were before any test storefront started. */
export function restoreProcessEnv(): void {
  process.env = { ...savedEnv };
}
