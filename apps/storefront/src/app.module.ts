import { Module } from '@nestjs/common';
import { shopTransports } from '@stitch/messaging-transports';
import { StorefrontModule } from './storefront.module';

@Module({ imports: [StorefrontModule.forRoot({ transports: shopTransports })] })
export class AppModule {}
