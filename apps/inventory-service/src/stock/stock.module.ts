import { Module } from '@nestjs/common';
import { StockHandlers } from './stock.handlers';
import { StockLedger } from './stock-ledger';

/** Reservations: ReserveStock holds all of an order's lines or none, ReleaseStock gives them back. */
@Module({
  controllers: [StockHandlers],
  providers: [StockLedger],
})
export class StockModule {}
