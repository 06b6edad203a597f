import { Inject, Injectable } from '@nestjs/common';
import { Services } from '@stitch/manifest';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import { UpstreamClient } from '../upstream/upstream.client';
import { UpstreamInvalidAnswerException } from '../http/api-error';
import { productListSchema, type Product } from './product.schemas';

/** inventory-service owns products, prices and stock; the storefront asks it and keeps no copy. */
@Injectable()
export class InventoryClient {
  constructor(
    @Inject(UpstreamClient) private readonly upstream: UpstreamClient,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  async products(): Promise<Product[]> {
    const products = await this.upstream.getJson(Services.inventory, `${this.config.inventoryUrl}/products`, productListSchema);
    // A 404 on the list itself means the URL points at something that is not inventory-service.
    if (!products) throw new UpstreamInvalidAnswerException(Services.inventory);
    return products;
  }
}
