import { Module } from '@nestjs/common';
import { shopTransports } from '@stitch/messaging-transports';
import { OrderServiceModule } from './order-service.module';

/** The composition root: the order service on the shop's transports. */
@Module({ imports: [OrderServiceModule.forRoot({ transports: shopTransports })] })
export class AppModule {}
