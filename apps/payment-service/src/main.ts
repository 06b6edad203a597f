import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { bootstrapService } from '@stitch/messaging-core';
import { shopTransports } from '@stitch/messaging-transports';
import { AppModule } from './app.module';

/** The service as it is deployed: on whichever of the shop's transports MESSAGING_TRANSPORT picks. */
@Module({ imports: [AppModule.forRoot({ transports: shopTransports })] })
class PaymentService {}

void bootstrapService(PaymentService, { defaultPort: 3003 });
