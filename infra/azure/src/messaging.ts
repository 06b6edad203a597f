import * as pulumi from '@pulumi/pulumi';
import * as servicebus from '@pulumi/azure-native/servicebus';
import {
  EMPTY_NAMESPACE,
  isoDuration,
  planTopology,
  type DesiredFilter,
  type DesiredRule,
  type QueueEntity,
  type ServiceBusEntities,
} from '@stitch/messaging-azure-service-bus';

export interface ShopMessagingArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Globally unique: the namespace's host is <namespaceName>.servicebus.windows.net. */
  readonly namespaceName: string;
  readonly entities: ServiceBusEntities;
}

/** The SQL filter that matches nothing: what a typed subscription's `$Default` rule is narrowed to. */
export const MATCH_NOTHING = '1=0';
export const MATCH_EVERYTHING = '1=1';

/**
 * The Service Bus namespace and every queue, topic, subscription and rule `npm run topology:azure` would create on an
 * empty namespace: the program walks the same plan (`planTopology(entities, EMPTY_NAMESPACE)`), so the two cannot
 * disagree. Local authentication is off: no key or connection string works, only Microsoft Entra identities.
 *
 * `$Default`: the SDK that topology:azure uses creates a subscription with its first rule in place of `$Default`;
 * ARM cannot, and gives every subscription a `$Default` rule with a true filter. A `Rule` resource named `$Default`
 * would collide with it, and there is no way to declare it absent. So each subscription gets a `DefaultRule` (the
 * azure-native resource that adopts the rule Azure made): the flow subscription's keeps the true filter, which is
 * the one rule the plan gives it; a typed subscription's is narrowed to `1=0`, so it copies no event, and the plan's
 * rules, the first one included, are `Rule` resources with the plan's names. topology:azure run afterwards against
 * this namespace finds every rule in place and only offers to remove that inert `$Default`.
 */
export class ShopMessaging extends pulumi.ComponentResource {
  readonly namespace: servicebus.Namespace;
  readonly queues = new Map<string, servicebus.Queue>();
  readonly topics = new Map<string, servicebus.Topic>();
  /** By `<topic>/<subscription>`. */
  readonly subscriptions = new Map<string, servicebus.Subscription>();
  /** Every resource this component made, for whoever must wait on them all. */
  readonly resources: pulumi.CustomResource[] = [];

  constructor(name: string, args: ShopMessagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopMessaging', name, {}, opts);
    const { resourceGroupName, namespaceName } = args;
    this.namespace = this.track(
      new servicebus.Namespace(
        `${name}-namespace`,
        {
          resourceGroupName,
          location: args.location,
          namespaceName,
          // Topics need Standard; Basic has queues only.
          sku: { name: servicebus.SkuName.Standard, tier: servicebus.SkuTier.Standard },
          disableLocalAuth: true,
          minimumTlsVersion: servicebus.TlsVersion.TlsVersion_1_2,
        },
        { parent: this },
      ),
    );
    const inNamespace = { resourceGroupName, namespaceName };
    const child = (dependsOn: pulumi.Resource): pulumi.CustomResourceOptions => ({ parent: this, dependsOn: [dependsOn] });

    const rule = (topic: string, subscription: string, desired: DesiredRule) => {
      const where = { ...inNamespace, topicName: topic, subscriptionName: subscription };
      const parent = this.subscription(topic, subscription);
      this.track(
        new servicebus.Rule(
          `${name}-rule-${topic}-${subscription}-${desired.name}`,
          { ...where, ruleName: desired.name, ...ruleFilter(desired.filter) },
          child(parent),
        ),
      );
    };

    for (const action of planTopology(args.entities, EMPTY_NAMESPACE).actions) {
      switch (action.kind) {
        case 'create-queue':
          this.queues.set(
            action.queue.name,
            this.track(
              new servicebus.Queue(
                `${name}-queue-${action.queue.name}`,
                { ...inNamespace, queueName: action.queue.name, ...entitySettings(action.queue) },
                child(this.namespace),
              ),
            ),
          );
          break;
        case 'create-topic':
          this.topics.set(
            action.topic.name,
            this.track(
              new servicebus.Topic(
                `${name}-topic-${action.topic.name}`,
                {
                  ...inNamespace,
                  topicName: action.topic.name,
                  defaultMessageTimeToLive: isoDuration(action.topic.defaultMessageTimeToLiveSeconds),
                },
                child(this.namespace),
              ),
            ),
          );
          break;
        case 'create-subscription': {
          const { subscription, firstRule } = action;
          const created = this.track(
            new servicebus.Subscription(
              `${name}-subscription-${subscription.topic}-${subscription.name}`,
              { ...inNamespace, topicName: subscription.topic, subscriptionName: subscription.name, ...entitySettings(subscription) },
              child(this.topic(subscription.topic)),
            ),
          );
          this.subscriptions.set(`${subscription.topic}/${subscription.name}`, created);
          const keepsDefault = firstRule.filter === 'true';
          this.track(
            new servicebus.DefaultRule(
              `${name}-default-rule-${subscription.topic}-${subscription.name}`,
              {
                ...inNamespace,
                topicName: subscription.topic,
                subscriptionName: subscription.name,
                filterType: servicebus.FilterType.SqlFilter,
                sqlFilter: { sqlExpression: keepsDefault ? MATCH_EVERYTHING : MATCH_NOTHING },
              },
              child(created),
            ),
          );
          if (!keepsDefault) rule(subscription.topic, subscription.name, firstRule);
          break;
        }
        case 'create-rule':
          rule(action.topic, action.subscription, action.rule);
          break;
        default:
          throw new Error(`ShopMessaging: an empty namespace cannot need "${action.kind}"`);
      }
    }
    this.registerOutputs({ namespaceId: this.namespace.id });
  }

  queue(name: string): servicebus.Queue {
    return found(this.queues.get(name), `queue ${name}`);
  }

  topic(name: string): servicebus.Topic {
    return found(this.topics.get(name), `topic ${name}`);
  }

  subscription(topic: string, name: string): servicebus.Subscription {
    return found(this.subscriptions.get(`${topic}/${name}`), `subscription ${topic}/${name}`);
  }

  private track<T extends pulumi.CustomResource>(resource: T): T {
    this.resources.push(resource);
    return resource;
  }
}

function found<T>(value: T | undefined, what: string): T {
  if (!value) throw new Error(`ShopMessaging: no ${what} in the topology`);
  return value;
}

function entitySettings(entity: QueueEntity) {
  return {
    maxDeliveryCount: entity.maxDeliveryCount,
    lockDuration: isoDuration(entity.lockDurationSeconds),
    defaultMessageTimeToLive: isoDuration(entity.defaultMessageTimeToLiveSeconds),
    deadLetteringOnMessageExpiration: entity.deadLetteringOnMessageExpiration,
  };
}

/** ARM's name for a message's subject is `label`. */
export function ruleFilter(filter: DesiredFilter): Pick<servicebus.RuleArgs, 'filterType' | 'correlationFilter' | 'sqlFilter'> {
  if (filter === 'true') return { filterType: servicebus.FilterType.SqlFilter, sqlFilter: { sqlExpression: MATCH_EVERYTHING } };
  if ('subject' in filter) return { filterType: servicebus.FilterType.CorrelationFilter, correlationFilter: { label: filter.subject } };
  return { filterType: servicebus.FilterType.CorrelationFilter, correlationFilter: { to: filter.to } };
}
