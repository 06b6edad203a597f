import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { storefrontConfig } from '../config/storefront.config';
import { UpstreamClient } from './upstream.client';

@Global()
@Module({ imports: [ConfigModule.forFeature(storefrontConfig)], providers: [UpstreamClient], exports: [UpstreamClient] })
export class UpstreamModule {}
