import type { INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { commandSender, flowRecords, receivedBy } from '@stitch/messaging-testing';
import { runService } from '@stitch/persistence';
import { queryServiceDatabase } from '@stitch/persistence/testing';
import type { QueryResultRow } from 'pg';
import { PaymentService } from '../../src/app.module';

/** Settings for a service booted in a test: quick retries, quiet, any free port. Flow records tell when a message was settled. */
export function testEnvironment(databaseServerUrl: string): void {
  Object.assign(process.env, {
    DATABASE_URL: databaseServerUrl,
    MESSAGING_RETRY_BASE_MS: '10',
    MESSAGING_FLOW: 'on',
    LOG_LEVEL: 'silent',
    PORT: '0',
  });
}

/** The payment service as it runs, but on the given in-memory transport. */
export function startPayment(transport: InMemoryTransport): Promise<INestApplication> {
  return runService(PaymentService, { transports: { local: () => transport }, defaultPort: 0 });
}

export function shopTransport(): InMemoryTransport {
  return new InMemoryTransport(shopCatalogue.topology());
}

/** Commands as the order service sends them. */
export const sendCommand = commandSender(Services.order);

/** Every event the order service's subscription receives, as it arrives. */
export const receivedByOrderService = (transport: InMemoryTransport) => receivedBy(transport, Services.order);

/** Runs SQL on the payment database, outside the service. */
export const query = <T extends QueryResultRow>(serverUrl: string, sql: string, values: unknown[] = []) =>
  queryServiceDatabase<T>(serverUrl, Services.payment, sql, values);

export { flowRecords };
