// The shop as its images run it: the services in containers from docker-compose.yml (profile `local`, the email
// service scaled to three), started by .ci/run (`run_shop_in_containers`) and driven only through the storefront's
// published port. STITCH_CONTAINERS_URL names the storefront; STITCH_CONTAINERS_EMAIL_INSTANCES the email replicas.
import { randomUUID } from 'node:crypto';
import { SendEmail, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { eventually, FlowStream, StorefrontClient, type OrderLineRequest, type Product } from '@stitch/shop-testing';

const APPROVED_CARD = '4242424242424242';
const DECLINED_CARD = '4000000000000002';
const CONFIRMED_ORDERS = 9;
const SETTLE_TIMEOUT_MS = 90_000;
/** Rounds of five more orders at most, until every email replica has handled a SendEmail. */
const MORE_ROUNDS = 6;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this suite runs against the shop in containers (.ci/run: run_shop_in_containers)`);
  return value;
}

describe('the shop in containers', () => {
  const url = required('STITCH_CONTAINERS_URL');
  const emailInstances = required('STITCH_CONTAINERS_EMAIL_INSTANCES').split(',');
  const storefront = new StorefrontClient(url);

  it('fans a sign-up out, confirms an order, cancels a declined and an out-of-stock one, and mails from three email replicas', async () => {
    expect(emailInstances).toHaveLength(3);
    const flow = await FlowStream.open(`${url}/api/flow`);
    try {
      const handled = (type: string, to?: string) =>
        flow.records.filter((record) => record.type === type && record.outcome === 'handled' && (!to || record.to === to));

      const userId = await storefront.signUp(`containers-${randomUUID()}@example.com`, 'Container Customer');
      // Fan-out: each subscribing service gets its own copy of the event, once.
      const subscribers = [...UserSignedUp.subscribers].sort();
      expect(subscribers).toEqual([Services.email, Services.notification, Services.order].sort());
      const fannedOut = await eventually(
        'each subscriber to handle the sign-up',
        () => handled(UserSignedUp.type).map((record) => record.to),
        (services) => subscribers.every((service) => services.includes(service)),
        SETTLE_TIMEOUT_MS,
      );
      expect([...fannedOut].sort()).toEqual(subscribers);

      const products = await storefront.products();
      const [limited, ...others] = [...products].sort((a, b) => a.available - b.available);
      const plentiful = others.filter((product) => product.available >= CONFIRMED_ORDERS + 5 * MORE_ROUNDS);
      if (!limited || limited.available >= 100 || plentiful.length === 0)
        throw new Error(`unexpected catalogue: ${JSON.stringify(products)}`);
      const one = (product: Product, quantity = 1): OrderLineRequest => ({ sku: product.sku, quantity });

      const confirmed: string[] = [];
      for (let index = 0; index < CONFIRMED_ORDERS; index++) {
        confirmed.push(await storefront.placeOrder(userId, [one(plentiful[index % plentiful.length] as Product)], APPROVED_CARD));
      }
      const declined = await storefront.placeOrder(userId, [one(plentiful[0] as Product)], DECLINED_CARD);
      const outOfStock = await storefront.placeOrder(userId, [one(limited, limited.available + 1)], APPROVED_CARD);

      const statuses = async (orderIds: readonly string[]) =>
        Promise.all(orderIds.map(async (orderId) => (await storefront.finalOrder(orderId, SETTLE_TIMEOUT_MS)).status));
      expect(await statuses(confirmed)).toEqual(confirmed.map(() => 'confirmed'));
      expect(await statuses([declined, outOfStock])).toEqual(['cancelled', 'cancelled']);

      // A confirmation or a cancellation mail per order: each SendEmail handled once, by one of the email replicas.
      const mailedOrders = async (orders: number) => {
        const records = await eventually(
          `a SendEmail handled for each of the ${orders} orders`,
          () => handled(SendEmail.type),
          (found) => new Set(found.map((record) => record.messageId)).size >= orders,
          SETTLE_TIMEOUT_MS,
        );
        expect(new Set(records.map((record) => record.messageId)).size).toBe(records.length);
        expect(records).toHaveLength(orders);
        return records;
      };
      let orders = confirmed.length + 2;
      let sendEmails = await mailedOrders(orders);
      // The replicas compete, so which takes what is up to timing: more orders until each has taken some, within a
      // bound the storefront's rate limit leaves room for.
      const idle = () => emailInstances.filter((instance) => !sendEmails.some((record) => record.instance === instance));
      for (let round = 0; idle().length > 0 && round < MORE_ROUNDS; round++) {
        for (let index = 0; index < 5; index++)
          await storefront.placeOrder(userId, [one(plentiful[index % plentiful.length] as Product)], APPROVED_CARD);
        orders += 5;
        sendEmails = await mailedOrders(orders);
      }
      expect(sendEmails.filter((record) => !emailInstances.includes(record.instance)).map((record) => record.instance)).toEqual([]);
      expect(idle()).toEqual([]);
    } finally {
      await flow.close();
    }
  });
});
