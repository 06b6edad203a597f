import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { Catalogue, defineCommand, type MessageData } from '@stitch/messaging-catalogue';
import { until } from '@stitch/waiting-testing';
import { MessageBus } from '../bus';
import type { Envelope } from '../envelope';
import { InMemoryTransport } from '../../testing';
import { MessagingRuntime } from '../runtime';
import { HandleMessage } from './handle-message.decorator';
import { bootstrapService } from './bootstrap';
import { MessageEnvelope } from './message-envelope.decorator';
import { StitchMessagingModule } from './stitch-messaging.module';

/** The shop's catalogue, but with the email service among SendEmail's senders: its welcome handler here mails itself. */
const catalogue = new Catalogue({
  services: shopCatalogue.services,
  messages: shopCatalogue.messages.map((message) =>
    message === SendEmail ? defineCommand({ ...SendEmail, senders: [...SendEmail.senders, Services.email] }) : message,
  ),
  maxAttempts: { default: 5 },
});
const transport = new InMemoryTransport(catalogue.topology());
const handled: { type: string; attempt: number }[] = [];

class MailboxGoneError extends Error {}
let sentFromHandler: { causationId: string; correlationId: string } | undefined;

@Controller()
class EmailHandlers {
  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  @HandleMessage(SendEmail, { retry: { immediate: 0 }, permanent: [MailboxGoneError] })
  async send(@Payload() data: MessageData<typeof SendEmail>): Promise<void> {
    handled.push({ type: SendEmail.type, attempt: handled.length + 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error(`mail server refused ${data.to}`);
  }

  @HandleMessage(UserSignedUp)
  async welcome(@Payload() data: MessageData<typeof UserSignedUp>, @MessageEnvelope() envelope: Envelope): Promise<void> {
    expect(envelope.type).toBe(UserSignedUp.type);
    const sent = await this.bus.send(SendEmail, { to: data.email, template: 'welcome', params: { name: data.name } });
    sentFromHandler = { causationId: sent.causationId, correlationId: sent.correlationId };
  }
}

@Module({
  imports: [StitchMessagingModule.forRoot({ service: Services.email, catalogue, transports: { local: () => transport } })],
  controllers: [EmailHandlers],
})
class EmailModule {}

describe('StitchServer (Nest transport strategy)', () => {
  let app: INestApplication;
  const queue = { kind: 'queue', name: Services.email } as const;

  const startReceiving = jest.spyOn(MessagingRuntime.prototype, 'startReceiving');

  beforeAll(async () => {
    process.env['MESSAGING_RETRY_BASE_MS'] = '10';
    process.env['MESSAGING_FLOW'] = 'off';
    process.env['PORT'] = '0';
    process.env['LOG_LEVEL'] = 'silent';
    app = await bootstrapService(EmailModule, { defaultPort: 0 });
  });

  afterAll(async () => {
    await app.close();
  });

  it('does not complete a message whose async handler throws, and dead-letters it with the original error', async () => {
    const storefront = new MessageBus({
      catalogue,
      service: Services.storefront,
      dispatcher: { dispatch: (d, m) => transport.send(d, [m]) },
      maxDelayMs: 1e9,
    });
    const userId = '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11';
    const signedUp = await storefront.publish(UserSignedUp, { userId, email: 'ada@example.com', name: 'Ada' });

    // The welcome handler sends a SendEmail, correlated with the event that caused it.
    await until('the welcome handler to send SendEmail', () => sentFromHandler !== undefined);
    expect(sentFromHandler).toEqual({ causationId: signedUp.id, correlationId: signedUp.correlationId });

    // The first failed attempt leaves the message on the queue: it is released, not completed.
    await until("SendEmail's first attempt", () => handled.length >= 1);
    expect(await transport.deadLetters.list(queue)).toEqual([]);

    // Every allowed attempt is made, then the consumer dead-letters it with the handler's own error.
    await until('SendEmail dead-lettered', async () => (await transport.deadLetters.list(queue)).length === 1, {
      state: () => `${handled.length} attempts made`,
    });
    expect(handled.map((h) => h.attempt)).toEqual([1, 2, 3, 4, 5]);
    const [dead] = await transport.deadLetters.list(queue);
    expect(dead?.reason).toBe('Error: mail server refused ada@example.com');
    expect(dead?.reason).not.toMatch(/Internal server error/);
    expect(dead?.attempts).toBe(5);
  });

  it("hands each handler's retry options from @HandleMessage to the consumer, and no options for the others", async () => {
    const consumer = await startReceiving.mock.results[0]?.value;
    expect(startReceiving.mock.calls[0]?.[1]).toEqual(
      new Map([[SendEmail.type, { retry: { immediate: 0 }, permanent: [MailboxGoneError] }]]),
    );
    expect(consumer.policyFor(SendEmail.type)).toEqual({
      retry: { immediate: 0, baseDelayMs: 10, maxDelayMs: 30_000, jitter: 0.2 },
      permanent: [MailboxGoneError],
    });
    expect(consumer.policyFor(UserSignedUp.type)).toEqual({
      retry: { immediate: 2, baseDelayMs: 10, maxDelayMs: 30_000, jitter: 0.2 },
      permanent: [],
    });
  });

  it('refuses retry options it cannot use when the handler is declared', () => {
    expect(() => HandleMessage(SendEmail, { retry: { immediate: 1.5 } })).toThrow(
      '@HandleMessage(SendEmail): invalid retry policy: immediate must be a whole number ≥ 0, got 1.5',
    );
  });
});
