import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Delivery, DeliveryHandler, OutgoingMessage } from '@stitch/messaging-core';
import { createLocalTransport, type LocalTransport, type LocalTransportOptions } from '../src';
import { topology } from './topology';

/** A fresh bus file in its own temporary folder; `remove` deletes the folder. */
export function tempBus(): { readonly file: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'stitch-bus-'));
  return { file: join(folder, 'bus', 'bus.db'), remove: () => rmSync(folder, { recursive: true, force: true }) };
}

export async function startedTransport(file: string, options: Partial<LocalTransportOptions> = {}): Promise<LocalTransport> {
  const transport = createLocalTransport({ topology, file, ...options });
  await transport.start();
  return transport;
}

export function message(type: string, fields: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const messageId = randomUUID();
  return { messageId, type, correlationId: `corr-${messageId}`, body: JSON.stringify({ type }), ...fields };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Hands deliveries to the test one by one, as a consumer's handler would see them. The handler finishes when the
 * test settles the delivery, like a real pipeline that settles at its end.
 */
export class Inbox {
  private readonly arrived: Delivery[] = [];
  private readonly waiting: ((delivery: Delivery) => void)[] = [];

  readonly handler: DeliveryHandler = (delivery) =>
    new Promise<void>((finish) => {
      const settleThen =
        <T extends unknown[]>(settle: (...args: T) => Promise<void>) =>
        (...args: T) =>
          settle(...args).finally(finish);
      this.arrive({
        message: delivery.message,
        attempt: delivery.attempt,
        complete: settleThen(() => delivery.complete()),
        retryLater: settleThen((delayMs: number) => delivery.retryLater(delayMs)),
        deadLetter: settleThen((reason: string, description: string) => delivery.deadLetter(reason, description)),
      });
    });

  next(timeoutMs = 3_000): Promise<Delivery> {
    const ready = this.arrived.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter = (delivery: Delivery) => {
        clearTimeout(timer);
        resolve(delivery);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`no delivery within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }

  /** Resolves if nothing arrives within `ms`; fails the test with what did. */
  async nothingWithin(ms: number): Promise<void> {
    const delivery = await this.next(ms).catch(() => undefined);
    if (delivery) throw new Error(`unexpected delivery of ${delivery.message.type} (attempt ${delivery.attempt})`);
  }

  /** Deliveries that arrived and were not taken with `next`. */
  get pending(): number {
    return this.arrived.length;
  }

  private arrive(delivery: Delivery): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(delivery);
    else this.arrived.push(delivery);
  }
}

/** A started transport on a fresh file for each test of the enclosing `describe`, closed and removed after it. */
export function transportPerTest(options: Partial<LocalTransportOptions> = {}): {
  readonly transport: LocalTransport;
  readonly file: string;
} {
  let bus: ReturnType<typeof tempBus> | undefined;
  let transport: LocalTransport | undefined;
  beforeEach(async () => {
    bus = tempBus();
    transport = await startedTransport(bus.file, options);
  });
  afterEach(async () => {
    await transport?.close();
    bus?.remove();
  });
  return {
    get transport(): LocalTransport {
      if (!transport) throw new Error('transportPerTest: used outside a test');
      return transport;
    },
    get file(): string {
      if (!bus) throw new Error('transportPerTest: used outside a test');
      return bus.file;
    },
  };
}
