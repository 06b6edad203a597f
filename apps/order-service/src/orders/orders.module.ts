import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { orderConfig } from '../config/order.config';
import { UsersModule } from '../users/users.module';
import { CheckoutSagaHandlers } from './checkout-saga.handlers';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';

@Module({
  imports: [UsersModule, ConfigModule.forFeature(orderConfig)],
  controllers: [CheckoutSagaHandlers, OrdersController],
  providers: [OrdersRepository],
})
export class OrdersModule {}
