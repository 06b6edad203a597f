import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** A product as inventory-service owns it; the storefront only relays it. */
export const productSchema = z.object({
  sku: z.string().describe('Stock-keeping unit, e.g. TEE-M'),
  name: z.string(),
  priceCents: z.number().int().nonnegative().describe('Current price in cents'),
  available: z.number().int().nonnegative().describe('Units in stock and not reserved'),
});

export const productListSchema = z.array(productSchema);

export type Product = z.infer<typeof productSchema>;

export class ProductListDto extends createZodDto(productListSchema) {}
