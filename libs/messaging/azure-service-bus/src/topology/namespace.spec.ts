import { shopCatalogue } from '@stitch/contracts';
import { DIRECT_RULE, serviceBusEntities } from '../entities';
import { applyPlan, readNamespace } from './namespace';
import { DEFAULT_RULE, describeAction, planTopology } from './plan';
import { InMemoryNamespace } from '../../testing';

const shop = serviceBusEntities(shopCatalogue.topology());

async function provision(namespace: InMemoryNamespace): Promise<string[]> {
  const plan = planTopology(shop, await readNamespace(namespace));
  const done: string[] = [];
  await applyPlan(namespace, plan.actions, (action) => done.push(describeAction(action)));
  return done;
}

describe('readNamespace + applyPlan', () => {
  it('provisions an empty namespace so that the next plan is empty and a second apply changes nothing', async () => {
    const namespace = new InMemoryNamespace();

    const done = await provision(namespace);
    expect(done.length).toBeGreaterThan(0);
    expect(planTopology(shop, await readNamespace(namespace)).actions).toEqual([]);

    const changesAfterFirst = namespace.changes.length;
    expect(await provision(namespace)).toEqual([]);
    expect(namespace.changes.length).toBe(changesAfterFirst);
  });

  it('gives each typed subscription its catalogue rules as subject filters and a direct rule on its name, and the flow subscription $Default', async () => {
    const namespace = new InMemoryNamespace();
    await provision(namespace);

    for (const subscription of shopCatalogue.topology().topic.subscriptions) {
      expect(namespace.ruleNames('events', subscription.name)).toEqual([...subscription.types, DIRECT_RULE].sort());
      expect((await namespace.getRule('events', subscription.name, subscription.types[0]!)).filter).toEqual({
        subject: subscription.types[0],
      });
      expect((await namespace.getRule('events', subscription.name, DIRECT_RULE)).filter).toEqual({ to: subscription.name });
    }
    expect(namespace.ruleNames('flow', 'storefront')).toEqual([DEFAULT_RULE]);
    // $Default never existed on a typed subscription, not even between createSubscription and createRule.
    expect(namespace.changes.filter(([method, , rule]) => method === 'deleteRule' && rule === DEFAULT_RULE)).toEqual([]);
  });

  it('sets the catalogue values on created entities', async () => {
    const namespace = new InMemoryNamespace();
    await provision(namespace);

    expect(await namespace.getQueue('order-service')).toMatchObject({
      maxDeliveryCount: 9,
      lockDuration: 'PT1M',
      defaultMessageTimeToLive: 'PT1H',
      deadLetteringOnMessageExpiration: true,
    });
    expect(await namespace.getSubscription('flow', 'storefront')).toMatchObject({
      maxDeliveryCount: 1,
      deadLetteringOnMessageExpiration: false,
      defaultMessageTimeToLive: 'PT1M',
    });
    expect(await namespace.getTopic('flow')).toMatchObject({ defaultMessageTimeToLive: 'PT1M' });
  });

  it('repairs a drifted namespace: a setting, $Default, a stale rule, changed filters, a missing direct rule; keeps settings it does not manage', async () => {
    const namespace = new InMemoryNamespace();
    await provision(namespace);
    const queue = await namespace.getQueue('order-service');
    await namespace.updateQueue({ ...queue, maxDeliveryCount: 3, maxSizeInMegabytes: 5120 });
    await namespace.createRule('events', 'email-service', DEFAULT_RULE, { sqlExpression: '1=1' });
    await namespace.createRule('events', 'email-service', 'order.order-placed.v1', { subject: 'order.order-placed.v1' });
    const rule = await namespace.getRule('events', 'order-service', 'payment.payment-failed.v1');
    await namespace.updateRule('events', 'order-service', { ...rule, filter: { subject: 'payment.payment-failed.v0' } });
    const direct = await namespace.getRule('events', 'notification-service', DIRECT_RULE);
    await namespace.updateRule('events', 'notification-service', { ...direct, filter: { to: 'order-service' } });
    await namespace.deleteRule('events', 'email-service', DIRECT_RULE);

    const done = await provision(namespace);

    expect(done).toEqual([
      'update queue order-service: maxDeliveryCount 3 -> 9',
      'update rule events/order-service/payment.payment-failed.v1 [subject=payment.payment-failed.v1] (was correlation subject=payment.payment-failed.v0)',
      'create rule events/email-service/direct [to=email-service]',
      'update rule events/notification-service/direct [to=notification-service] (was correlation to=order-service)',
      'delete rule events/email-service/$Default (sql 1=1: it would copy every event into this subscription)',
      'delete rule events/email-service/order.order-placed.v1 (correlation subject=order.order-placed.v1: not in the catalogue)',
    ]);
    expect(planTopology(shop, await readNamespace(namespace)).actions).toEqual([]);
    expect(await namespace.getQueue('order-service')).toMatchObject({ maxDeliveryCount: 9, maxSizeInMegabytes: 5120 });
  });

  it('stops at the first refused action; a rerun finishes the job', async () => {
    const namespace = new InMemoryNamespace();
    namespace.failNext = 'createTopic';

    await expect(provision(namespace)).rejects.toThrow('createTopic refused');
    expect(namespace.queues.size).toBe(5);
    expect(namespace.topics.size).toBe(0);

    await provision(namespace);
    expect(planTopology(shop, await readNamespace(namespace)).actions).toEqual([]);
  });
});
