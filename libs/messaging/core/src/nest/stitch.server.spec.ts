import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { SendEmail, Services, shopCatalogue, UserSignedUp, type MessageData } from '@stitch/contracts';
import { MessageBus } from '../bus';
import { InMemoryTransport } from '../in-memory-transport';
import { HandleMessage } from './handle-message.decorator';
import { bootstrapService } from './bootstrap';
import { StitchContext } from './stitch.context';
import { StitchMessagingModule } from './stitch-messaging.module';

const transport = new InMemoryTransport(shopCatalogue.topology());
const handled: { type: string; attempt: number }[] = [];
let sentFromHandler: { causationId: string; correlationId: string } | undefined;

@Controller()
class EmailHandlers {
  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  @HandleMessage(SendEmail)
  async send(@Payload() data: MessageData<typeof SendEmail>): Promise<void> {
    handled.push({ type: SendEmail.type, attempt: handled.length + 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error(`mail server refused ${data.to}`);
  }

  @HandleMessage(UserSignedUp)
  async welcome(@Payload() data: MessageData<typeof UserSignedUp>, @Ctx() context: StitchContext): Promise<void> {
    expect(context.getEnvelope().type).toBe(UserSignedUp.type);
    const sent = await this.bus.send(SendEmail, { to: data.email, template: 'welcome', params: { name: data.name } });
    sentFromHandler = { causationId: sent.causationId, correlationId: sent.correlationId };
  }
}

@Module({
  imports: [StitchMessagingModule.forRoot({ service: Services.email, catalogue: shopCatalogue, transports: { local: () => transport } })],
  controllers: [EmailHandlers],
})
class EmailModule {}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('StitchServer (Nest transport strategy)', () => {
  let app: INestApplication;
  const queue = { kind: 'queue', name: Services.email } as const;

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
    const storefront = new MessageBus({ catalogue: shopCatalogue, service: Services.storefront, dispatcher: { dispatch: (d, m) => transport.send(d, [m]) }, maxDelayMs: 1e9 });
    const userId = '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11';
    const signedUp = await storefront.publish(UserSignedUp, { userId, email: 'ada@example.com', name: 'Ada' });

    // The welcome handler sends a SendEmail, correlated with the event that caused it.
    await until(() => sentFromHandler !== undefined);
    expect(sentFromHandler).toEqual({ causationId: signedUp.id, correlationId: signedUp.correlationId });

    // The first failed attempt leaves the message on the queue: it is released, not completed.
    await until(() => handled.length >= 1);
    expect(await transport.deadLetters.list(queue)).toEqual([]);

    // Every allowed attempt is made, then the consumer dead-letters it with the handler's own error.
    await until(async () => (await transport.deadLetters.list(queue)).length === 1);
    expect(handled.map((h) => h.attempt)).toEqual([1, 2, 3, 4, 5]);
    const [dead] = await transport.deadLetters.list(queue);
    expect(dead?.reason).toBe('Error: mail server refused ada@example.com');
    expect(dead?.reason).not.toMatch(/Internal server error/);
    expect(dead?.attempts).toBe(5);
  });
});
