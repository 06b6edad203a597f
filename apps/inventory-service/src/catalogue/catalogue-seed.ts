/** A product as the shop first stocks it. */
export interface SeedProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

/**
 * The shop's starting catalogue, in euro cents. SCARF-LTD is the limited item: three in stock, so running out
 * (and the order that then gets cancelled) is easy to show.
 */
export const catalogueSeed: readonly SeedProduct[] = [
  { sku: 'TEE-WHT-M', name: 'Organic cotton T-shirt, white, M', priceCents: 1_999, available: 250 },
  { sku: 'TEE-BLK-L', name: 'Organic cotton T-shirt, black, L', priceCents: 1_999, available: 180 },
  { sku: 'HOODIE-GRY-M', name: 'Heavyweight hoodie, grey, M', priceCents: 5_999, available: 120 },
  { sku: 'JEANS-IND-32', name: 'Slim-fit jeans, indigo, W32', priceCents: 7_999, available: 90 },
  { sku: 'SOCKS-MERINO-3PK', name: 'Merino wool socks, 3-pack', priceCents: 1_499, available: 500 },
  { sku: 'CAP-NVY', name: 'Canvas cap, navy', priceCents: 2_499, available: 75 },
  { sku: 'JACKET-OLV-M', name: 'Waxed field jacket, olive, M', priceCents: 18_999, available: 50 },
  { sku: 'SCARF-LTD', name: 'Hand-woven wool scarf, limited edition', priceCents: 8_999, available: 3 },
];
