/** A minimal service for bootstrap tests: it starts, or fails, the way every app does. */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { bootstrapService, InMemoryTransport, StitchMessagingModule } from '../src';

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'payment-service',
      catalogue: shopCatalogue,
      transports: { local: () => new InMemoryTransport(shopCatalogue.topology()) },
    }),
  ],
})
class PaymentModule {}

void bootstrapService(PaymentModule, { defaultPort: 0 }).then((app) => app.close());
