import { shopCatalogue } from '@stitch/contracts';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { DeadLetterAlerts } from './dead-letter-alerts';
import { ShopMessaging } from './messaging';
import { MOCK_SUBSCRIPTION_ID, ofType, recordResources, settled, type Registered } from './pulumi-mocks';

interface Criterion {
  metricNamespace: string;
  metricName: string;
  timeAggregation: string;
  operator: string;
  threshold: number;
  dimensions: { name: string; operator: string; values: string[] }[];
}

describe('DeadLetterAlerts', () => {
  const entities = serviceBusEntities(shopCatalogue.topology());
  const namespaceId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/stitch-rg/providers/Microsoft.ServiceBus/namespaces/shop1-stitch`;
  const actionGroupId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/on-call`;
  let registered: Registered[];
  const alertsOf = (component: string) =>
    ofType(registered, 'azure-native:monitor:MetricAlert').filter((alert) => alert.name.startsWith(`${component}-`));
  const criterionOf = (alert: Registered) => (alert.inputs['criteria'] as { allOf: Criterion[] }).allOf;
  const entityNameOf = (alert: Registered) => criterionOf(alert)[0]?.dimensions[0]?.values.join(',');

  beforeAll(async () => {
    registered = await recordResources();
    const messaging = new ShopMessaging('shop', {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      namespaceName: 'shop1-stitch',
      entities,
    });
    const quiet = new DeadLetterAlerts('quiet', { resourceGroupName: 'stitch-rg', prefix: 'shop1', messaging });
    const paged = new DeadLetterAlerts('paged', { resourceGroupName: 'stitch-rg', prefix: 'shop1', messaging, actionGroupId });
    await settled([...messaging.resources, ...quiet.resources, ...paged.resources]);
  });

  it('watches every queue on its own name and every topic with subscriptions on its name, once each', () => {
    const want = [
      ...entities.queues.map((queue) => queue.name),
      ...entities.topics.filter((t) => t.subscriptions.length > 0).map((t) => t.name),
    ];
    expect(want).toEqual(expect.arrayContaining(['order-service', 'stitch-shop', 'events', 'flow']));
    expect(alertsOf('quiet').map(entityNameOf).sort()).toEqual(want.sort());
    for (const alert of alertsOf('quiet')) expect(alert.inputs['ruleName']).toBe(`shop1-dead-letters-${entityNameOf(alert)}`);
  });

  it("covers each subscription's dead-letter sub-queue through its topic's alert, which names it", () => {
    for (const topic of entities.topics) {
      const alert = alertsOf('quiet').find((a) => entityNameOf(a) === topic.name);
      for (const subscription of topic.subscriptions) {
        expect(alert?.inputs['description']).toContain(`subscription ${topic.name}/${subscription.name}`);
      }
    }
  });

  it("fires on the namespace's DeadletteredMessages (maximum) above 0 for that one entity, every minute over 5 minutes", () => {
    for (const alert of alertsOf('quiet')) {
      expect(alert.inputs).toMatchObject({
        resourceGroupName: 'stitch-rg',
        location: 'global',
        severity: 2,
        enabled: true,
        scopes: [namespaceId],
        evaluationFrequency: 'PT1M',
        windowSize: 'PT5M',
        criteria: { odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria' },
      });
      expect(criterionOf(alert)).toEqual([
        expect.objectContaining({
          criterionType: 'StaticThresholdCriterion',
          metricNamespace: 'Microsoft.ServiceBus/namespaces',
          metricName: 'DeadletteredMessages',
          timeAggregation: 'Maximum',
          operator: 'GreaterThan',
          threshold: 0,
          dimensions: [{ name: 'EntityName', operator: 'Include', values: [entityNameOf(alert)] }],
        }),
      ]);
    }
  });

  it('notifies the action group when given one, and nobody otherwise', () => {
    expect(alertsOf('paged')).toHaveLength(alertsOf('quiet').length);
    for (const alert of alertsOf('paged')) expect(alert.inputs['actions']).toEqual([{ actionGroupId }]);
    for (const alert of alertsOf('quiet')) expect(alert.inputs['actions']).toEqual([]);
  });

  it('makes nothing but the alerts beside the messaging it watches', () => {
    const types = new Set(registered.map((resource) => resource.type));
    expect([...types].filter((type) => !type.startsWith('azure-native:servicebus:')).sort()).toEqual([
      'azure-native:monitor:MetricAlert',
      'stitch:azure:DeadLetterAlerts',
      'stitch:azure:ShopMessaging',
    ]);
  });
});
