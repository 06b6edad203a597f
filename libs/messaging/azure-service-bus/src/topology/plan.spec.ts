import { shopCatalogue } from '@stitch/contracts';
import { DIRECT_RULE, type ServiceBusEntities, serviceBusEntities } from '../entities';
import {
  DEFAULT_RULE,
  type DesiredRule,
  describeAction,
  EMPTY_NAMESPACE,
  type NamespaceSnapshot,
  type PlanAction,
  planTopology,
  type SubscriptionSnapshot,
} from './plan';

const shop = serviceBusEntities(shopCatalogue.topology());

/** A small topology, so each case reads in full: one queue, one typed subscription, the flow subscription. */
const desired: ServiceBusEntities = {
  queues: [
    {
      name: 'order-service',
      maxDeliveryCount: 9,
      lockDurationSeconds: 60,
      deadLetteringOnMessageExpiration: true,
      defaultMessageTimeToLiveSeconds: 3600,
    },
  ],
  topics: [
    {
      name: 'events',
      defaultMessageTimeToLiveSeconds: 3600,
      subscriptions: [
        {
          name: 'email-service',
          topic: 'events',
          maxDeliveryCount: 6,
          lockDurationSeconds: 60,
          deadLetteringOnMessageExpiration: true,
          defaultMessageTimeToLiveSeconds: 3600,
          rules: [
            { name: 'storefront.user-signed-up.v1', subject: 'storefront.user-signed-up.v1' },
            { name: 'order.order-confirmed.v1', subject: 'order.order-confirmed.v1' },
            { name: DIRECT_RULE, to: 'email-service' },
          ],
        },
      ],
    },
    {
      name: 'flow',
      defaultMessageTimeToLiveSeconds: 60,
      subscriptions: [
        {
          name: 'storefront',
          topic: 'flow',
          maxDeliveryCount: 1,
          lockDurationSeconds: 60,
          deadLetteringOnMessageExpiration: false,
          defaultMessageTimeToLiveSeconds: 60,
          rules: 'all',
        },
      ],
    },
  ],
};

const emailSubscription: SubscriptionSnapshot = {
  topicName: 'events',
  subscriptionName: 'email-service',
  maxDeliveryCount: 6,
  lockDuration: 'PT1M',
  defaultMessageTimeToLive: 'PT1H',
  deadLetteringOnMessageExpiration: true,
  rules: [
    { name: 'storefront.user-signed-up.v1', filter: { subject: 'storefront.user-signed-up.v1' } },
    // As the SDK reads a correlation filter back: every field present, the unset ones undefined.
    {
      name: 'order.order-confirmed.v1',
      filter: { subject: 'order.order-confirmed.v1', correlationId: undefined, applicationProperties: undefined },
    },
    { name: DIRECT_RULE, filter: { to: 'email-service', subject: undefined, applicationProperties: {} } },
  ],
};
const [signedUpRule, confirmedRule, directRule] = emailSubscription.rules as [
  SubscriptionSnapshot['rules'][number],
  SubscriptionSnapshot['rules'][number],
  SubscriptionSnapshot['rules'][number],
];

/** The namespace exactly as the catalogue wants it, spelled as the management API returns it. */
const inPlace: NamespaceSnapshot = {
  queues: [
    {
      name: 'order-service',
      maxDeliveryCount: 9,
      lockDuration: 'PT1M',
      defaultMessageTimeToLive: 'PT1H',
      deadLetteringOnMessageExpiration: true,
    },
  ],
  topics: [
    { name: 'events', defaultMessageTimeToLive: 'PT1H' },
    { name: 'flow', defaultMessageTimeToLive: 'PT60S' },
  ],
  subscriptions: [
    emailSubscription,
    {
      topicName: 'flow',
      subscriptionName: 'storefront',
      maxDeliveryCount: 1,
      lockDuration: 'PT1M',
      defaultMessageTimeToLive: 'PT1M',
      deadLetteringOnMessageExpiration: false,
      rules: [{ name: DEFAULT_RULE, filter: { sqlExpression: '1=1' } }],
    },
  ],
};

function withEmailSubscription(change: Partial<SubscriptionSnapshot>): NamespaceSnapshot {
  return {
    ...inPlace,
    subscriptions: inPlace.subscriptions.map((subscription) =>
      subscription === emailSubscription ? { ...subscription, ...change } : subscription,
    ),
  };
}

const kinds = (actions: readonly PlanAction[]) => actions.map((action) => action.kind);
const describeFilter = (filter: DesiredRule['filter']) =>
  filter === 'true' ? 'true' : 'subject' in filter ? `subject=${filter.subject}` : `to=${filter.to}`;

describe('planTopology', () => {
  it('creates every queue, topic and subscription of the shop in an empty namespace, typed subscriptions with their first rule', () => {
    const plan = planTopology(shop, EMPTY_NAMESPACE);

    const created = (kind: PlanAction['kind']) => plan.actions.filter((action) => action.kind === kind);
    expect(created('create-queue').map((action) => action.kind === 'create-queue' && action.queue.name)).toEqual([
      'order-service',
      'inventory-service',
      'payment-service',
      'email-service',
      'stitch-shop',
    ]);
    expect(created('create-topic').map((action) => action.kind === 'create-topic' && action.topic.name)).toEqual(['events', 'flow']);
    const subscriptions = plan.actions.flatMap((action) => (action.kind === 'create-subscription' ? [action] : []));
    expect(subscriptions.map((action) => `${action.subscription.topic}/${action.subscription.name}`)).toEqual([
      'events/order-service',
      'events/email-service',
      'events/notification-service',
      'flow/storefront',
    ]);
    // A typed subscription starts with one of its own rules, never with $Default (which would take every event).
    for (const action of subscriptions.filter((action) => action.subscription.topic === 'events')) {
      expect(action.firstRule.name).not.toBe(DEFAULT_RULE);
      expect(action.firstRule.filter).toEqual({ subject: action.firstRule.name });
    }
    expect(subscriptions.find((action) => action.subscription.topic === 'flow')?.firstRule).toEqual({ name: DEFAULT_RULE, filter: 'true' });

    // Every rule of every subscription is either its first rule or a create-rule: all the catalogue's types, and
    // the direct rule that takes retries and replays addressed to that subscription alone.
    const rulesCreated = plan.actions.flatMap((action) =>
      action.kind === 'create-subscription'
        ? [`${action.subscription.name}:${describeFilter(action.firstRule.filter)}`]
        : action.kind === 'create-rule'
          ? [`${action.subscription}:${describeFilter(action.rule.filter)}`]
          : [],
    );
    const catalogueRules = shopCatalogue
      .topology()
      .topic.subscriptions.flatMap((subscription) => [
        ...subscription.types.map((type) => `${subscription.name}:subject=${type}`),
        `${subscription.name}:to=${subscription.name}`,
      ]);
    expect(rulesCreated.filter((rule) => !rule.startsWith('storefront:')).sort()).toEqual(catalogueRules.sort());
    expect(plan.actions.some((action) => action.kind.startsWith('update') || action.kind === 'delete-rule')).toBe(false);
    expect(plan.unmanaged).toEqual([]);
  });

  it('is empty when everything is in place, with durations spelled differently (PT60S, PT1M)', () => {
    expect(planTopology(desired, inPlace)).toEqual({ actions: [], unmanaged: [] });
  });

  it('updates a queue whose maxDeliveryCount differs, naming only that setting', () => {
    const plan = planTopology(desired, { ...inPlace, queues: [{ ...inPlace.queues[0]!, maxDeliveryCount: 3 }] });

    expect(plan.actions).toEqual([
      { kind: 'update-queue', queue: desired.queues[0], changes: [{ setting: 'maxDeliveryCount', from: 3, to: 9 }] },
    ]);
    expect(describeAction(plan.actions[0]!)).toBe('update queue order-service: maxDeliveryCount 3 -> 9');
  });

  it('names each differing setting of a subscription and of a topic', () => {
    const plan = planTopology(desired, {
      ...withEmailSubscription({ lockDuration: 'PT30S', defaultMessageTimeToLive: 'P14D', deadLetteringOnMessageExpiration: false }),
      topics: [{ name: 'events', defaultMessageTimeToLive: 'P14D' }, inPlace.topics[1]!],
    });

    expect(plan.actions.map(describeAction)).toEqual([
      'update topic events: defaultMessageTimeToLive P14D -> PT1H',
      'update subscription events/email-service: lockDuration PT30S -> PT1M, defaultMessageTimeToLive P14D -> PT1H, deadLetteringOnMessageExpiration false -> true',
    ]);
  });

  it('deletes a rule the catalogue no longer has', () => {
    const plan = planTopology(
      desired,
      withEmailSubscription({
        rules: [...emailSubscription.rules, { name: 'order.order-placed.v1', filter: { subject: 'order.order-placed.v1' } }],
      }),
    );

    expect(plan.actions).toEqual([
      {
        kind: 'delete-rule',
        topic: 'events',
        subscription: 'email-service',
        rule: 'order.order-placed.v1',
        was: 'correlation subject=order.order-placed.v1',
      },
    ]);
    expect(describeAction(plan.actions[0]!)).toContain('not in the catalogue');
  });

  it('creates a missing rule', () => {
    const plan = planTopology(desired, withEmailSubscription({ rules: [signedUpRule, directRule] }));

    expect(plan.actions).toEqual([
      {
        kind: 'create-rule',
        topic: 'events',
        subscription: 'email-service',
        rule: { name: 'order.order-confirmed.v1', filter: { subject: 'order.order-confirmed.v1' } },
      },
    ]);
  });

  it('removes $Default from a typed subscription, after adding its rules', () => {
    const plan = planTopology(desired, withEmailSubscription({ rules: [{ name: DEFAULT_RULE, filter: { sqlExpression: '1=1' } }] }));

    expect(kinds(plan.actions)).toEqual(['create-rule', 'create-rule', 'create-rule', 'delete-rule']);
    expect(plan.actions[3]).toMatchObject({ kind: 'delete-rule', subscription: 'email-service', rule: DEFAULT_RULE, was: 'sql 1=1' });
    expect(describeAction(plan.actions[3]!)).toContain('would copy every event');
  });

  it('keeps $Default on the flow subscription, and restores it when missing', () => {
    const flow = inPlace.subscriptions[1]!;
    const withoutDefault = {
      ...inPlace,
      subscriptions: [emailSubscription, { ...flow, rules: [{ name: 'narrow', filter: { subject: 'x' } }] }],
    };

    expect(planTopology(desired, withoutDefault).actions).toEqual([
      { kind: 'create-rule', topic: 'flow', subscription: 'storefront', rule: { name: DEFAULT_RULE, filter: 'true' } },
      { kind: 'delete-rule', topic: 'flow', subscription: 'storefront', rule: 'narrow', was: 'correlation subject=x' },
    ]);
  });

  it('updates a rule in place when its filter differs: another subject, an extra correlation property, or SQL', () => {
    const rules = (filter: SubscriptionSnapshot['rules'][number]['filter']) =>
      withEmailSubscription({ rules: [signedUpRule, { name: 'order.order-confirmed.v1', filter }, directRule] });

    for (const [filter, was] of [
      [{ subject: 'order.order-confirmed.v0' }, 'correlation subject=order.order-confirmed.v0'],
      [{ subject: 'order.order-confirmed.v1', correlationId: 'c-1' }, 'correlation subject=order.order-confirmed.v1, correlationId=c-1'],
      [{ sqlExpression: "sys.label = 'order.order-confirmed.v1'" }, "sql sys.label = 'order.order-confirmed.v1'"],
    ] as const) {
      expect(planTopology(desired, rules(filter)).actions).toEqual([
        {
          kind: 'update-rule',
          topic: 'events',
          subscription: 'email-service',
          rule: { name: 'order.order-confirmed.v1', filter: { subject: 'order.order-confirmed.v1' } },
          was,
        },
      ]);
    }
  });

  it('creates a subscription missing from an existing topic with its first rule, then its other rules', () => {
    const plan = planTopology(desired, { ...inPlace, subscriptions: [inPlace.subscriptions[1]!] });

    expect(plan.actions.map(describeAction)).toEqual([
      'create subscription events/email-service (maxDeliveryCount 6, lockDuration PT1M, defaultMessageTimeToLive PT1H, deadLetteringOnMessageExpiration true) with rule storefront.user-signed-up.v1 [subject=storefront.user-signed-up.v1]',
      'create rule events/email-service/order.order-confirmed.v1 [subject=order.order-confirmed.v1]',
      'create rule events/email-service/direct [to=email-service]',
    ]);
  });

  it('creates a missing direct rule, so retries addressed to the subscription reach it', () => {
    const plan = planTopology(desired, withEmailSubscription({ rules: [signedUpRule, confirmedRule] }));

    expect(plan.actions).toEqual([
      { kind: 'create-rule', topic: 'events', subscription: 'email-service', rule: { name: DIRECT_RULE, filter: { to: 'email-service' } } },
    ]);
    expect(describeAction(plan.actions[0]!)).toBe('create rule events/email-service/direct [to=email-service]');
  });

  it('updates the direct rule in place when it addresses another subscription or also matches a subject', () => {
    for (const [filter, was] of [
      [{ to: 'order-service' }, 'correlation to=order-service'],
      [{ to: 'email-service', subject: 'order.order-confirmed.v1' }, 'correlation to=email-service, subject=order.order-confirmed.v1'],
    ] as const) {
      const plan = planTopology(desired, withEmailSubscription({ rules: [signedUpRule, confirmedRule, { name: DIRECT_RULE, filter }] }));
      expect(plan.actions).toEqual([
        {
          kind: 'update-rule',
          topic: 'events',
          subscription: 'email-service',
          rule: { name: DIRECT_RULE, filter: { to: 'email-service' } },
          was,
        },
      ]);
    }
  });

  it('updates a type rule that also matches a `to`: it would miss the events published to the topic', () => {
    const plan = planTopology(
      desired,
      withEmailSubscription({
        rules: [
          signedUpRule,
          { name: 'order.order-confirmed.v1', filter: { subject: 'order.order-confirmed.v1', to: 'email-service' } },
          directRule,
        ],
      }),
    );

    expect(kinds(plan.actions)).toEqual(['update-rule']);
  });

  it('never deletes entities the catalogue does not name; it lists them', () => {
    const plan = planTopology(desired, {
      queues: [...inPlace.queues, { ...inPlace.queues[0]!, name: 'legacy' }],
      topics: [...inPlace.topics, { name: 'old-events', defaultMessageTimeToLive: 'PT1H' }],
      subscriptions: [...inPlace.subscriptions, { ...emailSubscription, subscriptionName: 'retired-service' }],
    });

    expect(plan).toEqual({ actions: [], unmanaged: ['queue legacy', 'topic old-events', 'subscription events/retired-service'] });
  });

  it('orders entity changes first, then rule additions and updates, then rule deletions', () => {
    const plan = planTopology(desired, {
      ...withEmailSubscription({
        rules: [
          { name: 'old', filter: { subject: 'old' } },
          { name: 'order.order-confirmed.v1', filter: { subject: 'wrong' } },
          directRule,
        ],
      }),
      queues: [],
    });

    expect(kinds(plan.actions)).toEqual(['create-queue', 'create-rule', 'update-rule', 'delete-rule']);
  });
});
