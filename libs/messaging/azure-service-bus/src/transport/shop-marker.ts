import { SHOP_MARKER_PROPERTY, SHOP_MARKER_QUEUE } from '../entities';
import type { ServiceBusClientLike } from './client';

/**
 * The shop marker of a namespace (see `SHOP_MARKER_QUEUE`): read with a peek (Listen), written with a send (Send).
 * The first marker message is the one that counts: two shops claiming an empty queue at once both see the same one.
 */
export interface ShopMarkerQueue {
  /** The shop id of the first marker message, or undefined when the queue is empty. Throws when the queue is missing. */
  read(): Promise<string | undefined>;
  write(shopId: string): Promise<void>;
}

export function shopMarkerQueue(client: ServiceBusClientLike): ShopMarkerQueue {
  return {
    async read() {
      const receiver = client.createReceiver(SHOP_MARKER_QUEUE, { receiveMode: 'peekLock' });
      try {
        const [first] = await receiver.peekMessages(1);
        const owner = first?.applicationProperties?.[SHOP_MARKER_PROPERTY];
        return first ? String(owner ?? first.body) : undefined;
      } finally {
        await receiver.close();
      }
    },
    async write(shopId) {
      const sender = client.createSender(SHOP_MARKER_QUEUE);
      try {
        await sender.sendMessages({ body: shopId, subject: 'shop-marker', applicationProperties: { [SHOP_MARKER_PROPERTY]: shopId } });
      } finally {
        await sender.close();
      }
    },
  };
}
