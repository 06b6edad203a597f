import * as pulumi from '@pulumi/pulumi';
import * as monitor from '@pulumi/azure-native/monitor';
import type { ShopMessaging } from './messaging';

export interface DeadLetterAlertsArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly prefix: string;
  readonly messaging: ShopMessaging;
  /** An action group to notify when an alert fires; without one the alerts only show in Azure Monitor. */
  readonly actionGroupId?: pulumi.Input<string>;
}

/** What an alert watches: the value of the metric's `EntityName` dimension, and the dead-letter sub-queues under it. */
export interface WatchedEntity {
  readonly entityName: string;
  readonly deadLetterQueues: readonly string[];
}

/**
 * The entities whose dead-letter sub-queues Azure Monitor can tell apart. `DeadletteredMessages` is a metric of the
 * namespace whose `EntityName` dimension holds a queue's or a topic's name, never a subscription's (Azure Monitor has no
 * subscription-level Service Bus metrics; "Count of dead-lettered messages in a Queue/Topic"): a topic's value is the
 * sum over its subscriptions' dead-letter sub-queues. So a queue is watched on its own name, and a subscription through
 * its topic's name, once per topic: an alert per subscription on the same filter would be copies of one another, all
 * firing together whichever subscription holds the dead letter.
 */
export function watchedEntities(messaging: ShopMessaging): WatchedEntity[] {
  const subscriptionsOf = (topic: string) =>
    [...messaging.subscriptions.keys()].filter((key) => key.startsWith(`${topic}/`)).map((key) => `subscription ${key}`);
  return [
    ...[...messaging.queues.keys()].map((queue) => ({ entityName: queue, deadLetterQueues: [`queue ${queue}`] })),
    ...[...messaging.topics.keys()]
      .map((topic) => ({ entityName: topic, deadLetterQueues: subscriptionsOf(topic) }))
      .filter((topic) => topic.deadLetterQueues.length > 0),
  ];
}

/**
 * An Azure Monitor metric alert per queue and per topic with subscriptions of the namespace, taken from ShopMessaging
 * (so from the catalogue): one dead letter is a message the shop gave up on, waiting for a person (the storefront's
 * Dead letters panel, or `npm run dlq`). The Azure counterpart of infra/aws's DeadLetterAlarms.
 */
export class DeadLetterAlerts extends pulumi.ComponentResource {
  /** By the `EntityName` each alert filters on. */
  readonly alerts = new Map<string, monitor.MetricAlert>();

  constructor(name: string, args: DeadLetterAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:DeadLetterAlerts', name, {}, opts);
    for (const { entityName, deadLetterQueues } of watchedEntities(args.messaging)) {
      const alert = new monitor.MetricAlert(
        `${name}-${entityName}`,
        {
          resourceGroupName: args.resourceGroupName,
          ruleName: `${args.prefix}-dead-letters-${entityName}`,
          description: `A dead letter is waiting for an operator in the dead-letter sub-queue of ${deadLetterQueues.join(', ')}`,
          // Metric alert rules are global resources, whatever the region of what they watch.
          location: 'global',
          severity: 2,
          enabled: true,
          scopes: [args.messaging.namespace.id],
          evaluationFrequency: 'PT1M',
          windowSize: 'PT5M',
          criteria: {
            odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
            allOf: [
              {
                criterionType: 'StaticThresholdCriterion',
                name: 'dead-lettered-messages',
                metricNamespace: 'Microsoft.ServiceBus/namespaces',
                metricName: 'DeadletteredMessages',
                timeAggregation: monitor.AggregationTypeEnum.Maximum,
                operator: monitor.Operator.GreaterThan,
                threshold: 0,
                dimensions: [{ name: 'EntityName', operator: 'Include', values: [entityName] }],
              },
            ],
          },
          actions: args.actionGroupId ? [{ actionGroupId: args.actionGroupId }] : [],
        },
        { parent: this },
      );
      this.alerts.set(entityName, alert);
    }
    this.registerOutputs({});
  }

  get resources(): pulumi.CustomResource[] {
    return [...this.alerts.values()];
  }
}
