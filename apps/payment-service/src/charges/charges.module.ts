import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { workshopConfig } from '../config/workshop.config';
import { CARD_PROVIDER } from './card-provider';
import { ChargeHandlers } from './charge.handlers';
import { ChargeLedger } from './charge-ledger';
import { SimulatedCardProvider } from './simulated-card-provider';

/** Card payments: ChargePayment charges the order's card once and tells the outcome. */
@Module({
  imports: [ConfigModule.forFeature(workshopConfig)],
  controllers: [ChargeHandlers],
  providers: [ChargeLedger, { provide: CARD_PROVIDER, useClass: SimulatedCardProvider }],
})
export class ChargesModule {}
