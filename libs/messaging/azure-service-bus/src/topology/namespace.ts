import type {
  CorrelationRuleFilter,
  CreateQueueOptions,
  CreateSubscriptionOptions,
  CreateTopicOptions,
  QueueProperties,
  RuleProperties,
  ServiceBusAdministrationClient,
  SqlRuleFilter,
  SubscriptionProperties,
  TopicProperties,
  WithResponse,
} from '@azure/service-bus';
import type { QueueEntity } from '../entities';
import { isoDuration } from './duration';
import { type NamespaceSnapshot, type PlanAction, type SubscriptionSnapshot, sdkFilter } from './plan';

/**
 * The part of `ServiceBusAdministrationClient` provisioning uses, in the SDK's own signatures: the real client
 * is one (see `namespaceAdmin`), and the unit tests pass an in-memory namespace. Updates go through get + update
 * because the management API replaces a whole entity description, and only `get` returns all of it.
 */
export interface NamespaceAdmin {
  listQueues(): AsyncIterable<QueueProperties>;
  listTopics(): AsyncIterable<TopicProperties>;
  listSubscriptions(topicName: string): AsyncIterable<SubscriptionProperties>;
  listRules(topicName: string, subscriptionName: string): AsyncIterable<RuleProperties>;
  createQueue(queueName: string, options?: CreateQueueOptions): Promise<unknown>;
  getQueue(queueName: string): Promise<WithResponse<QueueProperties>>;
  updateQueue(queue: WithResponse<QueueProperties>): Promise<unknown>;
  createTopic(topicName: string, options?: CreateTopicOptions): Promise<unknown>;
  getTopic(topicName: string): Promise<WithResponse<TopicProperties>>;
  updateTopic(topic: WithResponse<TopicProperties>): Promise<unknown>;
  createSubscription(topicName: string, subscriptionName: string, options?: CreateSubscriptionOptions): Promise<unknown>;
  getSubscription(topicName: string, subscriptionName: string): Promise<WithResponse<SubscriptionProperties>>;
  updateSubscription(subscription: WithResponse<SubscriptionProperties>): Promise<unknown>;
  createRule(
    topicName: string,
    subscriptionName: string,
    ruleName: string,
    ruleFilter: SqlRuleFilter | CorrelationRuleFilter,
  ): Promise<unknown>;
  getRule(topicName: string, subscriptionName: string, ruleName: string): Promise<WithResponse<RuleProperties>>;
  updateRule(topicName: string, subscriptionName: string, rule: WithResponse<RuleProperties>): Promise<unknown>;
  deleteRule(topicName: string, subscriptionName: string, ruleName: string): Promise<unknown>;
}

/** Compiles only while the SDK's client still fits the interface above. */
export function namespaceAdmin(client: ServiceBusAdministrationClient): NamespaceAdmin {
  return client;
}

/** Everything the plan compares, read through the management API (which needs Manage rights). */
export async function readNamespace(admin: NamespaceAdmin): Promise<NamespaceSnapshot> {
  const queues = await collect(admin.listQueues());
  const topics = await collect(admin.listTopics());
  const subscriptions: SubscriptionSnapshot[] = [];
  for (const topic of topics) {
    for (const subscription of await collect(admin.listSubscriptions(topic.name))) {
      const rules = await collect(admin.listRules(topic.name, subscription.subscriptionName));
      subscriptions.push({ ...subscription, rules });
    }
  }
  return { queues, topics, subscriptions };
}

/** Runs the plan's actions in order; stops at the first failure (a rerun plans again from what now exists). */
export async function applyPlan(
  admin: NamespaceAdmin,
  actions: readonly PlanAction[],
  onDone: (action: PlanAction) => void = () => undefined,
): Promise<void> {
  for (const action of actions) {
    await applyAction(admin, action);
    onDone(action);
  }
}

async function applyAction(admin: NamespaceAdmin, action: PlanAction): Promise<void> {
  switch (action.kind) {
    case 'create-queue':
      await admin.createQueue(action.queue.name, entitySettings(action.queue));
      return;
    case 'update-queue': {
      const queue = await admin.getQueue(action.queue.name);
      await admin.updateQueue(Object.assign(queue, entitySettings(action.queue)));
      return;
    }
    case 'create-topic':
      await admin.createTopic(action.topic.name, { defaultMessageTimeToLive: isoDuration(action.topic.defaultMessageTimeToLiveSeconds) });
      return;
    case 'update-topic': {
      const topic = await admin.getTopic(action.topic.name);
      await admin.updateTopic(
        Object.assign(topic, { defaultMessageTimeToLive: isoDuration(action.topic.defaultMessageTimeToLiveSeconds) }),
      );
      return;
    }
    case 'create-subscription':
      await admin.createSubscription(action.subscription.topic, action.subscription.name, {
        ...entitySettings(action.subscription),
        defaultRuleOptions: { name: action.firstRule.name, filter: sdkFilter(action.firstRule.filter) },
      });
      return;
    case 'update-subscription': {
      const subscription = await admin.getSubscription(action.subscription.topic, action.subscription.name);
      await admin.updateSubscription(Object.assign(subscription, entitySettings(action.subscription)));
      return;
    }
    case 'create-rule':
      await admin.createRule(action.topic, action.subscription, action.rule.name, sdkFilter(action.rule.filter));
      return;
    case 'update-rule': {
      // In place, not delete + create: a moment without the rule would drop events of that type for this service.
      const rule = await admin.getRule(action.topic, action.subscription, action.rule.name);
      await admin.updateRule(action.topic, action.subscription, Object.assign(rule, { filter: sdkFilter(action.rule.filter), action: {} }));
      return;
    }
    case 'delete-rule':
      await admin.deleteRule(action.topic, action.subscription, action.rule);
      return;
  }
}

function entitySettings(entity: QueueEntity) {
  return {
    maxDeliveryCount: entity.maxDeliveryCount,
    lockDuration: isoDuration(entity.lockDurationSeconds),
    defaultMessageTimeToLive: isoDuration(entity.defaultMessageTimeToLiveSeconds),
    deadLetteringOnMessageExpiration: entity.deadLetteringOnMessageExpiration,
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
