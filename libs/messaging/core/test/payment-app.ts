/**
 * A minimal service for bootstrap tests: it starts, or fails, the way every app does, then stops at once.
 * `TEST_START_FAILURE` makes its transport fail to start: `startup` with a StartupError (as a transport says its
 * broker is down), `crash` with an error nobody translated.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { ChargePayment, RefundPayment, shopCatalogue } from '@stitch/contracts';
import { bootstrapService, HandleMessage, StartupError, StitchMessagingModule } from '../src';
import { InMemoryTransport } from '../testing';

@Controller()
class ChargeHandlers {
  @HandleMessage(ChargePayment)
  charge(): void {
    // Never called: the app stops as soon as it has started.
  }

  @HandleMessage(RefundPayment)
  refund(): void {
    // Never called.
  }
}

class FailingTransport extends InMemoryTransport {
  override async start(): Promise<void> {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    if (process.env['TEST_START_FAILURE'] === 'startup') {
      throw new StartupError('cannot reach the test broker at 127.0.0.1:9 (connection refused): is it running?', { cause: refused });
    }
    throw new Error('the test transport broke\nwith a second line');
  }
}

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'payment-service',
      catalogue: shopCatalogue,
      transports: {
        local: () =>
          process.env['TEST_START_FAILURE']
            ? new FailingTransport(shopCatalogue.topology())
            : new InMemoryTransport(shopCatalogue.topology()),
      },
    }),
  ],
  controllers: [ChargeHandlers],
})
class PaymentModule {}

void bootstrapService(PaymentModule, { defaultPort: 0 }).then(async (app) => {
  process.stdout.write('started\n');
  await app.close();
});
