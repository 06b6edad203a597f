import { registerAs, type ConfigType } from '@nestjs/config';
import { serviceEntry, Services, type ServiceName } from '@stitch/manifest';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

/** Another service's URL; by default its port from the manifest on this host, as npm start runs it. */
const serviceUrl = (service: ServiceName) =>
  z
    .url({ protocol: /^https?$/ })
    .default(`http://127.0.0.1:${serviceEntry(service).port}`)
    .transform((url) => url.replace(/\/+$/, ''));

const schema = z.object({
  /** order-service, asked for an order's status. */
  ORDER_URL: serviceUrl(Services.order),
  /** inventory-service, asked for products, prices and stock. */
  INVENTORY_URL: serviceUrl(Services.inventory),
  /** notification-service, whose browser stream is relayed at /api/notifications. */
  NOTIFICATION_URL: serviceUrl(Services.notification),
  /** How long an order id the order service does not know yet still reads `pending` (see pending-order.ts). */
  ORDER_PENDING_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(15 * 60_000),
  /** How long a question to another service may take before the storefront answers 503. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(1).default(5_000),
  /** How long an accepted order id is kept as an idempotency key: a retry within it answers as the first did. */
  IDEMPOTENCY_KEY_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(24 * 3_600_000),
});

export const storefrontConfig = registerAs('storefront', () => {
  const env = parseConfig('storefront', schema, process.env);
  return {
    orderUrl: env.ORDER_URL,
    inventoryUrl: env.INVENTORY_URL,
    notificationUrl: env.NOTIFICATION_URL,
    pendingWindowMs: env.ORDER_PENDING_WINDOW_MS,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    idempotencyKeyRetentionMs: env.IDEMPOTENCY_KEY_RETENTION_MS,
  };
});

export type StorefrontConfig = ConfigType<typeof storefrontConfig>;
