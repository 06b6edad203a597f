/**
 * The email service's messaging on Service Bus, built as the apps build it (libs/messaging/transports), for the
 * start-up tests: it starts and stops at once, or fails the way every app on Service Bus does. With
 * `TEST_FAKE_SERVICEBUS=<url> <namespace>` it talks to the fake broker instead of the SDK.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { bootstrapService, HandleMessage, requireShopId, StitchMessagingModule } from '@stitch/messaging-core';
import { createServiceBusTransport, sdkClientFactory, serviceBusConfig, serviceBusTarget } from '../src';
import { FakeServiceBusClient } from '../testing';

@Controller()
class EmailHandlers {
  @HandleMessage(SendEmail)
  send(): void {
    // Never called: the app stops as soon as it has started.
  }

  @HandleMessage(UserSignedUp)
  welcome(): void {
    // Never called.
  }
}

const fake = process.env['TEST_FAKE_SERVICEBUS']?.split(' ');

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'email-service',
      catalogue: shopCatalogue,
      transports: {
        azure: ({ topology, service, config }) => {
          if (fake) {
            const [url = '', namespace = ''] = fake;
            return createServiceBusTransport({
              topology,
              service,
              client: () => new FakeServiceBusClient(url, namespace),
              startTimeoutMs: config.startTimeoutMs,
              shopId: requireShopId(config.shopId),
            });
          }
          const { auth, maxMessageBytes } = serviceBusConfig();
          return createServiceBusTransport({
            topology,
            service,
            client: sdkClientFactory(auth),
            maxMessageBytes,
            target: serviceBusTarget(auth),
            startTimeoutMs: config.startTimeoutMs,
            shopId: requireShopId(config.shopId),
          });
        },
      },
    }),
  ],
  controllers: [EmailHandlers],
})
class EmailService {}

void bootstrapService(EmailService, { defaultPort: 0 }).then(async (app) => {
  process.stdout.write('started\n');
  await app.close();
});
