import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ReserveStock, shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { MessageBus } from '../bus';
import { InMemoryTransport } from '../../testing';
import { MessagingRuntime } from '../runtime';
import { RecordingDispatcher } from '../test-support/recording-dispatcher';
import { defaultInstanceId, StitchMessagingModule } from './stitch-messaging.module';

const OUTBOX = Symbol('OUTBOX');
const INBOX = Symbol('INBOX');
const outbox = new RecordingDispatcher();
const wrapped: string[] = [];

@Module({
  providers: [
    // Async on purpose: the runtime must wait for these, not look them up before they exist.
    { provide: OUTBOX, useFactory: async () => new Promise((resolve) => setTimeout(() => resolve(outbox), 50)) },
    {
      provide: INBOX,
      useFactory: async () => ({
        wrap: async (envelope: { id: string }, work: () => Promise<void>) => (wrapped.push(envelope.id), work()),
      }),
    },
  ],
  exports: [OUTBOX, INBOX],
})
class PersistenceStandIn {}

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: Services.order,
      catalogue: shopCatalogue,
      transports: { local: () => new InMemoryTransport(shopCatalogue.topology()) },
      imports: [PersistenceStandIn],
      dispatcher: OUTBOX,
      handlerWrapper: INBOX,
    }),
  ],
})
class OrderModule {}

describe('StitchMessagingModule', () => {
  it('hands messages to the configured dispatcher and handlers to the configured wrapper', async () => {
    const app = await NestFactory.createApplicationContext(OrderModule, { logger: false });
    const sent = await app
      .get(MessageBus)
      .send(ReserveStock, { orderId: '3b241101-e2bb-4255-8caf-4136c566a962', items: [{ sku: 'TEE-M', quantity: 1 }] });
    expect(outbox.sent.map((s) => s.message.messageId)).toEqual([sent.id]);
    const runtime = app.get(MessagingRuntime);
    await runtime.options.wrapHandler?.({ id: 'm-1' } as never, async () => undefined);
    expect(wrapped).toEqual(['m-1']);
    await app.close();
  });
});

describe('defaultInstanceId', () => {
  it('names a replica by its process on a shared host, and by its container (host name) when it is process 1', () => {
    expect(defaultInstanceId('email-service', 4242, 'laptop')).toBe('email-service-4242');
    expect(defaultInstanceId('email-service', 1, '3f2a9c1b7d0e')).toBe('email-service-3f2a9c1b7d0e');
    expect(defaultInstanceId('email-service', 1, 'Shop.Pod_7')).toBe('email-service-shop-pod-7');
  });
});
