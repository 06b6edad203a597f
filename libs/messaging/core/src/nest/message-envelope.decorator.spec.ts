import 'reflect-metadata';
import { Controller, Module, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Payload } from '@nestjs/microservices';
import { SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import type { MessageData } from '@stitch/messaging-catalogue';
import { until } from '@stitch/waiting-testing';
import { InMemoryTransport } from '../../testing';
import { createEnvelope, type Envelope } from '../envelope';
import { bootstrapService } from './bootstrap';
import { HandleMessage } from './handle-message.decorator';
import { MessageEnvelope } from './message-envelope.decorator';
import { StitchContext } from './stitch.context';
import { StitchMessagingModule } from './stitch-messaging.module';

const transport = new InMemoryTransport(shopCatalogue.topology());
const received: { payload: MessageData<typeof UserSignedUp>; envelope: Envelope<MessageData<typeof UserSignedUp>> }[] = [];

@Controller()
class WelcomeHandlers {
  @HandleMessage(UserSignedUp)
  welcome(
    @Payload() payload: MessageData<typeof UserSignedUp>,
    @MessageEnvelope() envelope: Envelope<MessageData<typeof UserSignedUp>>,
  ): void {
    received.push({ payload, envelope });
  }

  // The email service's queue must have a handler for each of its commands before it starts.
  @HandleMessage(SendEmail)
  send(): void {}
}

@Module({
  imports: [StitchMessagingModule.forRoot({ service: Services.email, catalogue: shopCatalogue, transports: { local: () => transport } })],
  controllers: [WelcomeHandlers],
})
class EmailModule {}

/** The function Nest calls for the decorated parameter, as it would for a handler. */
function resolveParameter(context: ExecutionContext): unknown {
  class Probe {
    handle(@MessageEnvelope() _envelope: Envelope): void {}
  }
  const [argument] = Object.values(
    Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handle') as Record<
      string,
      { factory: (data: unknown, context: ExecutionContext) => unknown }
    >,
  );
  if (!argument) throw new Error('@MessageEnvelope() left no parameter metadata');
  return argument.factory(undefined, context);
}

describe('@MessageEnvelope()', () => {
  let app: INestApplication;

  beforeAll(async () => {
    Object.assign(process.env, { MESSAGING_FLOW: 'off', PORT: '0', LOG_LEVEL: 'silent' });
    app = await bootstrapService(EmailModule, { defaultPort: 0 });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('gives a handler the envelope it is handling, whose data is the payload @Payload() gives', async () => {
    const data = { userId: '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11', email: 'ada@example.com', name: 'Ada' };
    const sent = createEnvelope({ type: UserSignedUp.type, kind: 'event', source: Services.storefront, data });
    await transport.send({ kind: 'topic', name: 'events' }, [
      { messageId: sent.id, type: sent.type, correlationId: sent.correlationId, body: JSON.stringify(sent) },
    ]);

    await until('the welcome handler to receive UserSignedUp', () => received.length === 1);
    const [{ payload, envelope }] = received as [(typeof received)[number]];
    expect(envelope).toEqual(sent);
    expect(envelope.data).toEqual(payload);
  });

  it('reads the envelope from the context StitchServer hands the handler', () => {
    const envelope = createEnvelope({ type: UserSignedUp.type, kind: 'event', source: Services.storefront, data: {} });
    const context = new ExecutionContextHost([envelope.data, new StitchContext([envelope])]);
    context.setType('rpc');
    expect(resolveParameter(context)).toBe(envelope);
  });

  it('fails loudly outside a message handler, where there is no envelope', () => {
    const context = new ExecutionContextHost([{}, {}, () => undefined]);
    context.setType('http');
    expect(() => resolveParameter(context)).toThrow(
      '@MessageEnvelope() is only for message handlers (@HandleMessage), not in a http context',
    );
  });
});
