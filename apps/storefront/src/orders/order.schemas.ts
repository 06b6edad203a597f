import { PlaceOrder } from '@stitch/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { DECLINING_CARD, isValidCardNumber, normalizeCardNumber, tokenizeCard } from './card-tokenizer';

const command = PlaceOrder.schema.shape;

/**
 * The card is tokenized while the request is validated, so past this point the handler holds only
 * `{ token, last4 }`. The message never repeats the number.
 */
const cardSchema = z
  .string()
  .transform(normalizeCardNumber)
  .refine(isValidCardNumber, 'not a valid card number: 12 to 19 digits passing the Luhn check')
  .transform(tokenizeCard)
  .describe(
    `Card number (spaces or dashes allowed). Tokenized at once; only a token and the last four digits travel. ${DECLINING_CARD} is declined.`,
  );

/** A line as the customer asks for it: the price is the inventory's, looked up when the order is placed. */
const requestedLineSchema = command.items.element.pick({ sku: true, quantity: true });

export const placeOrderRequestSchema = z.strictObject({
  userId: command.userId
    .optional()
    .describe(
      'The customer of the session (from POST /api/users); another customer’s id is refused with 403. Optional: the order is always the session’s customer’s',
    ),
  items: z
    .array(requestedLineSchema)
    .min(1)
    .max(50)
    .superRefine((items, context) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.sku))
          context.addIssue({ code: 'custom', path: [index, 'sku'], message: `${item.sku} is already on an earlier line` });
        seen.add(item.sku);
      });
    }),
  card: cardSchema.optional(),
  orderId: z
    .uuid({ version: 'v7' })
    .optional()
    .describe(
      'A UUIDv7 the client makes once per order and sends again when it retries (after a 503, or an answer that never came): ' +
        'the order is placed once however often it arrives, and a retry gets the first answer again; the same id with a different order (or from another customer) is a 409. ' +
        'Without it the storefront makes one, and a retry is a new order.',
    ),
});
export class PlaceOrderRequestDto extends createZodDto(placeOrderRequestSchema) {}

export const orderAcceptedSchema = z.object({
  orderId: z.uuid().describe('A UUIDv7; poll GET /api/orders/{id}'),
  status: z.literal('pending'),
});
export type OrderAccepted = z.infer<typeof orderAcceptedSchema>;
export class OrderAcceptedDto extends createZodDto(orderAcceptedSchema) {}

export const orderIdParamsSchema = z.object({ id: z.uuid() });
export class OrderIdParamsDto extends createZodDto(orderIdParamsSchema) {}

/**
 * An order as the customer sees it, alone (GET /api/orders/:id) or in their list (GET /api/orders): the order, the
 * checkout it belongs to and when it was placed.
 */
export const orderViewSchema = z.object({
  orderId: z.uuid(),
  status: z.enum(['pending', 'confirmed', 'cancelled']),
  reason: z.string().optional().describe('Why a cancelled order was cancelled'),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
  totalCents: z.number().int().nonnegative(),
  correlationId: z
    .string()
    .optional()
    .describe('The checkout’s correlation id: every message of the checkout carries it (filter GET /api/flow by it)'),
  placedAt: z.iso.datetime().describe('When it was placed (ISO 8601): at the storefront while pending there, else at order-service'),
});
export type OrderView = z.infer<typeof orderViewSchema>;
export class OrderViewDto extends createZodDto(orderViewSchema) {}
export const orderListSchema = z.array(orderViewSchema);
export class OrderListDto extends createZodDto(orderListSchema) {}

/** The answer to an order id already used for something else: the retry is not the order first placed under it. */
export const orderIdConflictSchema = z.object({ message: z.string(), orderId: z.uuid().describe('The order id that is already taken') });
export class OrderIdConflictDto extends createZodDto(orderIdConflictSchema) {}

/** An order as order-service answers it: with its customer, whom the storefront checks against the session. */
export const upstreamOrderViewSchema = orderViewSchema.extend({ userId: z.uuid() });
export type UpstreamOrderView = z.infer<typeof upstreamOrderViewSchema>;
export const upstreamOrderListSchema = z.array(upstreamOrderViewSchema);
