import path from 'node:path';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { defineService } from '@stitch/persistence';
import { ZodSerializerInterceptor } from 'nestjs-zod';
import { AsyncApiModule } from './asyncapi/asyncapi.module';
import { requestPolicyConfig, type RequestPolicyConfig } from './config/request-policy.config';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { FlowModule } from './flow/flow.module';
import { PrismaClient } from './generated/prisma/client';
import { storefrontHttp } from './http/configure-http';
import { InvalidRequestFilter } from './http/invalid-request.filter';
import { RequestValidationPipe } from './http/validation';
import { NotificationsModule } from './notifications/notifications.module';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { SessionModule } from './session/session.module';
import { TracesModule } from './traces/traces.module';
import { UpstreamModule } from './upstream/upstream.module';
import { UsersModule } from './users/users.module';
import { postThrottlerOptions, PostThrottlerGuard } from './security/post-throttler';

/**
 * The storefront: the shop's HTTP edge. Its own database (`stitch_storefront`) holds the order ids it accepted
 * (idempotency keys) and its outbox: an order's key and its PlaceOrder commit together, and the relay sends them.
 * It handles no messages, so it has no inbox.
 */
export const Storefront = defineService({
  service: Services.storefront,
  catalogue: shopCatalogue,
  prisma: {
    dir: path.join(__dirname, '../prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  },
  inbox: false,
  imports: [
    SessionModule,
    ConfigModule.forFeature(requestPolicyConfig),
    ThrottlerModule.forRootAsync({
      imports: [ConfigModule.forFeature(requestPolicyConfig)],
      inject: [requestPolicyConfig.KEY],
      useFactory: (config: RequestPolicyConfig) => postThrottlerOptions(config),
    }),
    UpstreamModule,
    ProductsModule,
    UsersModule,
    OrdersModule,
    FlowModule,
    NotificationsModule,
    DeadLettersModule,
    AsyncApiModule,
    TracesModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: PostThrottlerGuard },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: ZodSerializerInterceptor },
    { provide: APP_FILTER, useClass: InvalidRequestFilter },
  ],
  http: storefrontHttp,
});
