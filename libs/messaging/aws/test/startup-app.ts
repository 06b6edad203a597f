/**
 * The storefront's messaging, on the AWS transport, as the apps build it (libs/messaging/transports): for the
 * start-up tests, it starts and stops at once, or fails the way every app on AWS does.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { bootstrapService, requireShopId, StitchMessagingModule } from '@stitch/messaging-core';
import { awsConfig, createAwsTransport } from '../src';

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'storefront',
      catalogue: shopCatalogue,
      transports: {
        aws: ({ topology, service, config }) =>
          createAwsTransport({
            topology,
            service,
            config: awsConfig(),
            startTimeoutMs: config.startTimeoutMs,
            shopId: requireShopId(config.shopId),
          }),
      },
    }),
  ],
})
class Storefront {}

void bootstrapService(Storefront, { defaultPort: 0 }).then(async (app) => {
  process.stdout.write('started\n');
  await app.close();
});
