import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { Services, shopCatalogue } from '@stitch/contracts';
import { StitchMessagingModule, type StitchMessagingOptions } from '@stitch/messaging-core';
import { ZodSerializerInterceptor } from 'nestjs-zod';
import { requestPolicyConfig, type RequestPolicyConfig } from './config/request-policy.config';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { FlowModule } from './flow/flow.module';
import { InvalidRequestFilter } from './http/invalid-request.filter';
import { RequestValidationPipe } from './http/validation';
import { NotificationsModule } from './notifications/notifications.module';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { UpstreamModule } from './upstream/upstream.module';
import { UsersModule } from './users/users.module';
import { postThrottlerOptions, PostThrottlerGuard } from './security/post-throttler';

export interface StorefrontModuleOptions {
  /** The transports the storefront can run on; production passes `shopTransports`, tests an in-memory one. */
  readonly transports: StitchMessagingOptions['transports'];
}

/**
 * The storefront: an HTTP edge with no database of its own. It publishes and sends straight to the transport;
 * there is no state change of its own to commit with them, so no outbox.
 */
@Module({})
export class StorefrontModule {
  static forRoot(options: StorefrontModuleOptions): DynamicModule {
    return {
      module: StorefrontModule,
      imports: [
        StitchMessagingModule.forRoot({ service: Services.storefront, catalogue: shopCatalogue, transports: options.transports }),
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
      ],
      providers: [
        { provide: APP_GUARD, useClass: PostThrottlerGuard },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: ZodSerializerInterceptor },
        { provide: APP_FILTER, useClass: InvalidRequestFilter },
      ],
    };
  }
}
