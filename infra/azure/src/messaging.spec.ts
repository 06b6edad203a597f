import { shopCatalogue } from '@stitch/contracts';
import {
  DEFAULT_RULE,
  EMPTY_NAMESPACE,
  isoDuration,
  planTopology,
  serviceBusEntities,
  type DesiredFilter,
  type QueueEntity,
} from '@stitch/messaging-azure-service-bus';
import { MATCH_EVERYTHING, MATCH_NOTHING, ShopMessaging } from './messaging';
import { ofType, recordResources, settled, type Registered } from './pulumi-mocks';

// One source of truth: the program holds exactly what `npm run topology:azure` creates on an empty namespace.
describe('ShopMessaging', () => {
  const entities = serviceBusEntities(shopCatalogue.topology());
  const actions = planTopology(entities, EMPTY_NAMESPACE).actions;
  let registered: Registered[];

  beforeAll(async () => {
    registered = await recordResources();
    const messaging = new ShopMessaging('shop', {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      namespaceName: 'shop1-stitch',
      entities,
    });
    await settled(messaging.resources);
  });

  const settingsOf = (entity: QueueEntity) => ({
    maxDeliveryCount: entity.maxDeliveryCount,
    lockDuration: isoDuration(entity.lockDurationSeconds),
    defaultMessageTimeToLive: isoDuration(entity.defaultMessageTimeToLiveSeconds),
    deadLetteringOnMessageExpiration: entity.deadLetteringOnMessageExpiration,
  });
  const where = { resourceGroupName: 'stitch-rg', namespaceName: 'shop1-stitch' };

  it('makes a Standard namespace that accepts Microsoft Entra identities only, over TLS 1.2 or later', () => {
    const namespaces = ofType(registered, 'azure-native:servicebus:Namespace');
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0]?.inputs).toMatchObject({
      ...where,
      location: 'westeurope',
      sku: { name: 'Standard', tier: 'Standard' },
      disableLocalAuth: true,
      minimumTlsVersion: '1.2',
    });
  });

  it('has every queue of the plan with its settings, and no other', () => {
    const want = actions.flatMap((action) =>
      action.kind === 'create-queue' ? [{ ...where, queueName: action.queue.name, ...settingsOf(action.queue) }] : [],
    );
    expect(want.map((queue) => queue.queueName)).toEqual(expect.arrayContaining(['order-service', 'stitch-shop']));
    const queues = ofType(registered, 'azure-native:servicebus:Queue').map((queue) => queue.inputs);
    expect(sortBy(queues, 'queueName')).toEqual(sortBy(want, 'queueName'));
  });

  it('has every topic of the plan with its time-to-live, and no other', () => {
    const want = actions.flatMap((action) =>
      action.kind === 'create-topic'
        ? [{ ...where, topicName: action.topic.name, defaultMessageTimeToLive: isoDuration(action.topic.defaultMessageTimeToLiveSeconds) }]
        : [],
    );
    expect(want.map((topic) => topic.topicName).sort()).toEqual(['events', 'flow']);
    const topics = ofType(registered, 'azure-native:servicebus:Topic').map((topic) => topic.inputs);
    expect(sortBy(topics, 'topicName')).toEqual(sortBy(want, 'topicName'));
  });

  it('has every subscription of the plan with its settings, and no other', () => {
    const want = actions.flatMap((action) =>
      action.kind === 'create-subscription'
        ? [
            {
              ...where,
              topicName: action.subscription.topic,
              subscriptionName: action.subscription.name,
              ...settingsOf(action.subscription),
            },
          ]
        : [],
    );
    const subscriptions = ofType(registered, 'azure-native:servicebus:Subscription').map((subscription) => subscription.inputs);
    const key = (s: Record<string, unknown>) => `${String(s['topicName'])}/${String(s['subscriptionName'])}`;
    expect(subscriptions.map(key).sort()).toEqual(want.map(key).sort());
    for (const subscription of want) expect(subscriptions.find((s) => key(s) === key(subscription))).toEqual(subscription);
  });

  it('has every rule of the plan, the first rule of each subscription included, with its filter, and no other', () => {
    const planned = actions.flatMap((action) => {
      if (action.kind === 'create-subscription')
        return [
          { at: `${action.subscription.topic}/${action.subscription.name}/${action.firstRule.name}`, filter: action.firstRule.filter },
        ];
      if (action.kind === 'create-rule')
        return [{ at: `${action.topic}/${action.subscription}/${action.rule.name}`, filter: action.rule.filter }];
      return [];
    });
    const made = [
      ...ofType(registered, 'azure-native:servicebus:Rule').map((rule) => ({
        at: `${String(rule.inputs['topicName'])}/${String(rule.inputs['subscriptionName'])}/${String(rule.inputs['ruleName'])}`,
        filter: filterOf(rule.inputs),
      })),
      // The `$Default` rule Azure makes counts as the plan's rule where it keeps the true filter (the flow subscription).
      ...ofType(registered, 'azure-native:servicebus:DefaultRule')
        .filter((rule) => filterOf(rule.inputs) === 'true')
        .map((rule) => ({
          at: `${String(rule.inputs['topicName'])}/${String(rule.inputs['subscriptionName'])}/${DEFAULT_RULE}`,
          filter: filterOf(rule.inputs),
        })),
    ];
    expect(planned.length).toBeGreaterThan(5);
    expect(sortBy(made, 'at')).toEqual(sortBy(planned, 'at'));
    for (const rule of made) expect(rule.filter).not.toBe('unknown');
  });

  it('leaves no typed subscription a $Default rule that lets events through', () => {
    const defaults = ofType(registered, 'azure-native:servicebus:DefaultRule');
    const subscriptions = entities.topics.flatMap((topic) => topic.subscriptions);
    expect(defaults.map((rule) => `${String(rule.inputs['topicName'])}/${String(rule.inputs['subscriptionName'])}`).sort()).toEqual(
      subscriptions.map((subscription) => `${subscription.topic}/${subscription.name}`).sort(),
    );
    for (const subscription of subscriptions) {
      const rule = defaults.find((r) => r.inputs['topicName'] === subscription.topic && r.inputs['subscriptionName'] === subscription.name);
      const expression = subscription.rules === 'all' ? MATCH_EVERYTHING : MATCH_NOTHING;
      expect(rule?.inputs).toMatchObject({ filterType: 'SqlFilter', sqlFilter: { sqlExpression: expression } });
    }
  });

  it('makes nothing but the namespace, its entities and their rules', () => {
    expect([...new Set(registered.map((resource) => resource.type))].sort()).toEqual([
      'azure-native:servicebus:DefaultRule',
      'azure-native:servicebus:Namespace',
      'azure-native:servicebus:Queue',
      'azure-native:servicebus:Rule',
      'azure-native:servicebus:Subscription',
      'azure-native:servicebus:Topic',
      'stitch:azure:ShopMessaging',
    ]);
  });
});

/** The plan's filter a rule's ARM inputs stand for; 'unknown' for anything else (extra correlation properties included). */
function filterOf(inputs: Record<string, unknown>): DesiredFilter | 'unknown' {
  const sql = inputs['sqlFilter'] as { sqlExpression?: string } | undefined;
  const correlation = inputs['correlationFilter'] as Record<string, unknown> | undefined;
  if (inputs['filterType'] === 'SqlFilter' && sql?.sqlExpression === MATCH_EVERYTHING && !correlation) return 'true';
  if (inputs['filterType'] !== 'CorrelationFilter' || sql || !correlation) return 'unknown';
  // requiresPreprocessing is how the filter is evaluated (the SDK's default), not a property it matches on.
  const set = Object.entries(correlation).filter(([key, value]) => value !== undefined && key !== 'requiresPreprocessing');
  if (set.length !== 1) return 'unknown';
  const [key, value] = set[0] as [string, unknown];
  if (key === 'label') return { subject: String(value) };
  if (key === 'to') return { to: String(value) };
  return 'unknown';
}

function sortBy<T>(items: readonly T[], key: keyof T): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
