/**
 * The checkout saga's decisions, and nothing else: given an order as stored and a message, what the order
 * becomes and which messages that causes. No database, no bus, no clock, so every rule is a unit spec away;
 * the handlers load, ask, store and send.
 *
 *   PlaceOrder ──▶ awaiting-stock ──StockReserved──▶ awaiting-payment ──PaymentSucceeded──▶ confirmed
 *   (+ ExpireOrder,      │                                  │
 *    delayed)     StockReservationFailed              PaymentFailed
 *                 or ExpireOrder                      or ExpireOrder (both with ReleaseStock)
 *                        └──────────────▶ cancelled ◀──────┘
 *                                            │
 *          late replies to a cancelled order: StockReserved ──▶ ReleaseStock, PaymentSucceeded ──▶ RefundPayment
 *
 * PlaceOrder sends ExpireOrder to the order service itself with the configured delay: an order still pending
 * when it arrives is cancelled. A reply that was on its way meanwhile is then compensated, not lost.
 */
import {
  ChargePayment,
  ExpireOrder,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  RefundPayment,
  ReleaseStock,
  ReserveStock,
  SendEmail,
  type PaymentFailed,
  type PaymentSucceeded,
  type PlaceOrder,
  type StockReservationFailed,
  type StockReserved,
} from '@stitch/contracts';
import type { CommandDefinition, EventDefinition, MessageData, MessageInput } from '@stitch/messaging-catalogue';

export type OrderStatus = 'pending' | 'confirmed' | 'cancelled';
export type Currency = 'EUR';
export type OrderLine = MessageData<typeof PlaceOrder>['items'][number];
export type PaymentMethod = MessageData<typeof PlaceOrder>['paymentMethod'];

/** Where an order is in the saga: `pending` splits in two, told apart by whether stock is held. */
export type SagaStage = 'awaiting-stock' | 'awaiting-payment' | 'confirmed' | 'cancelled';

/** The saga's own state of an order: what moves, and the version that guards each move. */
export interface SagaState {
  readonly status: OrderStatus;
  readonly stockReserved: boolean;
  readonly reason?: string;
  /** 1 when placed, one more on every change. */
  readonly version: number;
}

/** An order as the saga needs it to decide on a reply: its state, what it charges, whom it writes to. */
export interface SagaOrder extends SagaState {
  readonly orderId: string;
  readonly userId: string;
  readonly totalCents: number;
  readonly currency: Currency;
  readonly paymentMethod: PaymentMethod;
  readonly customer: { readonly email: string; readonly name: string };
}

export interface NewOrder extends SagaState {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: Currency;
  readonly paymentMethod: PaymentMethod;
}

/** A message the saga wants sent, typed by its contract; the handler hands it to the bus as it is. */
export type Outgoing =
  | SendCommand<typeof ReserveStock>
  | SendCommand<typeof ChargePayment>
  | SendCommand<typeof ReleaseStock>
  | SendCommand<typeof RefundPayment>
  | SendCommand<typeof ExpireOrder>
  | SendCommand<typeof SendEmail>
  | PublishEvent<typeof OrderPlaced>
  | PublishEvent<typeof OrderConfirmed>
  | PublishEvent<typeof OrderCancelled>;

export interface SendCommand<D extends CommandDefinition> {
  readonly kind: 'command';
  readonly definition: D;
  readonly data: MessageInput<D>;
  /** Delivered no sooner than this many ms after the decision's transaction commits. */
  readonly delayMs?: number;
}

export interface PublishEvent<D extends EventDefinition> {
  readonly kind: 'event';
  readonly definition: D;
  readonly data: MessageInput<D>;
}

/** The replies the saga waits for, and its own timeout, by name. */
export type SagaReply =
  | { readonly name: 'StockReserved'; readonly data: MessageData<typeof StockReserved> }
  | { readonly name: 'StockReservationFailed'; readonly data: MessageData<typeof StockReservationFailed> }
  | { readonly name: 'PaymentSucceeded'; readonly data: MessageData<typeof PaymentSucceeded> }
  | { readonly name: 'PaymentFailed'; readonly data: MessageData<typeof PaymentFailed> }
  | { readonly name: 'ExpireOrder'; readonly data: MessageData<typeof ExpireOrder> };

export type PlaceDecision =
  | { readonly outcome: 'placed'; readonly order: NewOrder; readonly messages: readonly Outgoing[] }
  /** The command can never succeed, however often it is retried. */
  | { readonly outcome: 'rejected'; readonly why: string };

export type ReplyDecision =
  | { readonly outcome: 'changed'; readonly next: SagaState; readonly messages: readonly Outgoing[] }
  /** A reply that arrived after the order was cancelled: the order stays cancelled; what the reply took is given back. */
  | { readonly outcome: 'compensated'; readonly why: string; readonly messages: readonly Outgoing[] }
  /** A late, repeated or unexpected reply: the order stays as it is and nothing is sent. */
  | { readonly outcome: 'ignored'; readonly why: string };

/** The largest total the order table's integer column holds: 21,474,836.47 EUR. */
export const MAX_TOTAL_CENTS = 2_147_483_647;
/** OrderCancelled and ReleaseStock take reasons up to this long. */
export const MAX_REASON_LENGTH = 500;

const EXPECTED_STAGE: Record<Exclude<SagaReply['name'], 'ExpireOrder'>, SagaStage> = {
  StockReserved: 'awaiting-stock',
  StockReservationFailed: 'awaiting-stock',
  PaymentSucceeded: 'awaiting-payment',
  PaymentFailed: 'awaiting-payment',
};

export function stageOf(state: SagaState): SagaStage {
  if (state.status !== 'pending') return state.status;
  return state.stockReserved ? 'awaiting-payment' : 'awaiting-stock';
}

/**
 * A new order, pending at version 1: announced to whoever listens, its stock asked for, and its own expiry
 * scheduled `timeoutMs` ahead.
 */
export function placeOrder(command: MessageData<typeof PlaceOrder>, timeoutMs: number): PlaceDecision {
  const totalCents = command.items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  if (totalCents > MAX_TOTAL_CENTS) {
    return {
      outcome: 'rejected',
      why: `order ${command.orderId} totals ${totalCents} cents, more than the ${MAX_TOTAL_CENTS} an order can hold`,
    };
  }
  const order: NewOrder = {
    orderId: command.orderId,
    userId: command.userId,
    status: 'pending',
    stockReserved: false,
    version: 1,
    items: command.items,
    totalCents,
    currency: 'EUR',
    paymentMethod: command.paymentMethod,
  };
  return {
    outcome: 'placed',
    order,
    messages: [
      publish(OrderPlaced, { orderId: order.orderId, userId: order.userId, items: [...order.items], totalCents, version: order.version }),
      send(ReserveStock, { orderId: order.orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) }),
      send(ExpireOrder, { orderId: order.orderId, timeoutMs }, timeoutMs),
    ],
  };
}

/** What a reply does to an order: one step of the saga, or nothing when the order is not waiting for it. */
export function decide(order: SagaOrder, reply: SagaReply): ReplyDecision {
  const stage = stageOf(order);
  if (reply.name === 'ExpireOrder') return expire(order, stage, reply.data.timeoutMs);
  if (stage === 'cancelled') {
    const late = compensateLate(order, reply);
    if (late) return late;
  }
  if (stage !== EXPECTED_STAGE[reply.name]) {
    return {
      outcome: 'ignored',
      why: `${reply.name} expects an order ${EXPECTED_STAGE[reply.name]}, but order ${order.orderId} is ${stage} (version ${order.version})`,
    };
  }
  switch (reply.name) {
    case 'StockReserved':
      return order.totalCents === 0 ? confirm(order, { stockReserved: true }) : awaitPayment(order);
    case 'StockReservationFailed':
      return cancel(order, shortageReason(reply.data));
    case 'PaymentSucceeded':
      return confirm(order, {});
    case 'PaymentFailed':
      return cancel(order, `Payment failed: ${reply.data.reason}`);
  }
}

/** The order's own deadline: whatever it still waits for, it waits no longer. */
function expire(order: SagaOrder, stage: SagaStage, timeoutMs: number): ReplyDecision {
  if (stage === 'confirmed' || stage === 'cancelled') {
    return { outcome: 'ignored', why: `ExpireOrder for an order already ${stage} (version ${order.version})` };
  }
  const waitingFor = stage === 'awaiting-stock' ? 'stock' : 'payment';
  return cancel(order, `Not completed within ${describeDuration(timeoutMs)} (still waiting for ${waitingFor})`);
}

/**
 * A success that arrives for an order already cancelled (its timeout came first) holds something the order
 * no longer needs: give it back. Both commands are idempotent where they land, so a repeat costs nothing.
 */
function compensateLate(order: SagaOrder, reply: SagaReply): ReplyDecision | undefined {
  const why = clip(`Order ${order.orderId} was already cancelled: ${order.reason ?? 'no reason given'}`, MAX_REASON_LENGTH);
  if (reply.name === 'StockReserved') {
    return {
      outcome: 'compensated',
      why: `StockReserved after the order was cancelled; releasing it`,
      messages: [send(ReleaseStock, { orderId: order.orderId, reason: why })],
    };
  }
  if (reply.name === 'PaymentSucceeded' && reply.data.amountCents > 0) {
    const { chargeId, amountCents } = reply.data;
    return {
      outcome: 'compensated',
      why: `PaymentSucceeded after the order was cancelled; refunding charge ${chargeId}`,
      messages: [send(RefundPayment, { orderId: order.orderId, chargeId, amountCents, reason: why })],
    };
  }
  return undefined;
}

function awaitPayment(order: SagaOrder): ReplyDecision {
  return {
    outcome: 'changed',
    next: { status: 'pending', stockReserved: true, version: order.version + 1 },
    messages: [
      send(ChargePayment, {
        orderId: order.orderId,
        amountCents: order.totalCents,
        currency: order.currency,
        paymentMethod: { ...order.paymentMethod },
      }),
    ],
  };
}

/** Confirmed once paid for; an order that costs nothing has nothing to charge and confirms once its stock is held. */
function confirm(order: SagaOrder, change: Partial<SagaState>): ReplyDecision {
  const next: SagaState = { status: 'confirmed', stockReserved: change.stockReserved ?? order.stockReserved, version: order.version + 1 };
  return {
    outcome: 'changed',
    next,
    messages: [
      publish(OrderConfirmed, { orderId: order.orderId, userId: order.userId, totalCents: order.totalCents, version: next.version }),
      send(SendEmail, {
        to: order.customer.email,
        template: 'order-confirmed',
        params: { orderId: order.orderId, totalCents: order.totalCents, name: order.customer.name },
      }),
    ],
  };
}

/** Cancelled, giving back any stock held first (compensation), and the customer told why. */
function cancel(order: SagaOrder, why: string): ReplyDecision {
  const reason = clip(why, MAX_REASON_LENGTH);
  const next: SagaState = { status: 'cancelled', stockReserved: false, reason, version: order.version + 1 };
  const compensation = order.stockReserved ? [send(ReleaseStock, { orderId: order.orderId, reason })] : [];
  return {
    outcome: 'changed',
    next,
    messages: [
      ...compensation,
      publish(OrderCancelled, { orderId: order.orderId, userId: order.userId, reason, version: next.version }),
      send(SendEmail, {
        to: order.customer.email,
        template: 'order-cancelled',
        params: { orderId: order.orderId, reason, name: order.customer.name },
      }),
    ],
  };
}

/** Names every short line, so the customer reads what was missing rather than just "out of stock". */
function shortageReason(data: MessageData<typeof StockReservationFailed>): string {
  if (data.shortages.length === 0) return data.reason;
  const lines = data.shortages.map((shortage) => `${shortage.sku} (${shortage.requested} ordered, ${shortage.available} available)`);
  return `Not enough stock: ${lines.join(', ')}`;
}

/** "10 minutes", "90 seconds", "1500 ms": as a customer reads it in the cancellation mail. */
export function describeDuration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  if (ms % 1_000 === 0) return plural(ms / 1_000, 'second');
  return `${ms} ms`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function send<D extends CommandDefinition>(definition: D, data: MessageInput<D>, delayMs?: number): SendCommand<D> {
  return delayMs === undefined ? { kind: 'command', definition, data } : { kind: 'command', definition, data, delayMs };
}

function publish<D extends EventDefinition>(definition: D, data: MessageInput<D>): PublishEvent<D> {
  return { kind: 'event', definition, data };
}
