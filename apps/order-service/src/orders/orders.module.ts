import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { CheckoutSagaHandlers } from './checkout-saga.handlers';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';

@Module({
  imports: [UsersModule],
  controllers: [CheckoutSagaHandlers, OrdersController],
  providers: [OrdersRepository],
})
export class OrdersModule {}
