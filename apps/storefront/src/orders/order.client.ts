import { Inject, Injectable } from '@nestjs/common';
import { Services } from '@stitch/manifest';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import { UpstreamClient } from '../upstream/upstream.client';
import { upstreamOrderListSchema, upstreamOrderViewSchema, type UpstreamOrderView } from './order.schemas';

/** order-service owns orders; the storefront asks it for their state. */
@Injectable()
export class OrderClient {
  constructor(
    @Inject(UpstreamClient) private readonly upstream: UpstreamClient,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  /** `undefined` when order-service does not know the order (yet). */
  order(orderId: string): Promise<UpstreamOrderView | undefined> {
    return this.upstream.getJson(Services.order, `${this.config.orderUrl}/orders/${encodeURIComponent(orderId)}`, upstreamOrderViewSchema);
  }

  /** The customer's orders as order-service has them, newest first. */
  async ordersOf(customerId: string): Promise<UpstreamOrderView[]> {
    const url = `${this.config.orderUrl}/orders?customerId=${encodeURIComponent(customerId)}`;
    return (await this.upstream.getJson(Services.order, url, upstreamOrderListSchema)) ?? [];
  }
}
