import type {
  CorrelationRuleFilter,
  QueueProperties,
  RuleProperties,
  SqlRuleFilter,
  SubscriptionProperties,
  TopicProperties,
} from '@azure/service-bus';
import type { QueueEntity, ServiceBusEntities, SubscriptionEntity, SubscriptionRule, TopicEntity } from '../entities';
import { durationSeconds, isoDuration } from './duration';

/** The rule Service Bus gives every subscription created without one: a true filter. */
export const DEFAULT_RULE = '$Default';
/** How the management API describes the true filter. */
export const TRUE_FILTER: SqlRuleFilter = { sqlExpression: '1=1' };

/**
 * What a namespace holds, as far as the plan looks: the SDK's own property types, narrowed to what the
 * catalogue decides, so a full `QueueProperties` from `listQueues()` is a valid snapshot entry as it is.
 */
export type QueueSnapshot = Pick<
  QueueProperties,
  'name' | 'maxDeliveryCount' | 'lockDuration' | 'defaultMessageTimeToLive' | 'deadLetteringOnMessageExpiration'
>;
export type TopicSnapshot = Pick<TopicProperties, 'name' | 'defaultMessageTimeToLive'>;
export type RuleSnapshot = Pick<RuleProperties, 'name' | 'filter'>;
export type SubscriptionSnapshot = Pick<
  SubscriptionProperties,
  'topicName' | 'subscriptionName' | 'maxDeliveryCount' | 'lockDuration' | 'defaultMessageTimeToLive' | 'deadLetteringOnMessageExpiration'
> & { readonly rules: readonly RuleSnapshot[] };

export interface NamespaceSnapshot {
  readonly queues: readonly QueueSnapshot[];
  readonly topics: readonly TopicSnapshot[];
  readonly subscriptions: readonly SubscriptionSnapshot[];
}

export const EMPTY_NAMESPACE: NamespaceSnapshot = { queues: [], topics: [], subscriptions: [] };

/**
 * A filter the catalogue asks for: a correlation filter on the event type (`subject`) or on the subscription's own
 * name (`to`, for retries and replays meant for it alone), or everything (the flow channel).
 */
export type DesiredFilter = { readonly subject: string } | { readonly to: string } | 'true';

export interface DesiredRule {
  readonly name: string;
  readonly filter: DesiredFilter;
}

export type Setting = 'maxDeliveryCount' | 'lockDuration' | 'defaultMessageTimeToLive' | 'deadLetteringOnMessageExpiration';

export interface SettingChange {
  readonly setting: Setting;
  readonly from: string | number | boolean;
  readonly to: string | number | boolean;
}

export type PlanAction =
  | { readonly kind: 'create-queue'; readonly queue: QueueEntity }
  | { readonly kind: 'update-queue'; readonly queue: QueueEntity; readonly changes: readonly SettingChange[] }
  | { readonly kind: 'create-topic'; readonly topic: TopicEntity }
  | { readonly kind: 'update-topic'; readonly topic: TopicEntity; readonly changes: readonly SettingChange[] }
  /** Created with its first rule as the default rule, so a typed subscription never holds `$Default`, even briefly. */
  | { readonly kind: 'create-subscription'; readonly subscription: SubscriptionEntity; readonly firstRule: DesiredRule }
  | { readonly kind: 'update-subscription'; readonly subscription: SubscriptionEntity; readonly changes: readonly SettingChange[] }
  | { readonly kind: 'create-rule'; readonly topic: string; readonly subscription: string; readonly rule: DesiredRule }
  | {
      readonly kind: 'update-rule';
      readonly topic: string;
      readonly subscription: string;
      readonly rule: DesiredRule;
      readonly was: string;
    }
  | { readonly kind: 'delete-rule'; readonly topic: string; readonly subscription: string; readonly rule: string; readonly was: string };

export interface TopologyPlan {
  /** In the order they must run: entities, then rules to add or change, then rules to remove. */
  readonly actions: readonly PlanAction[];
  /** Entities the namespace has and the catalogue does not: never deleted (they may hold messages), only named. */
  readonly unmanaged: readonly string[];
}

export function desiredRules(subscription: SubscriptionEntity): readonly DesiredRule[] {
  if (subscription.rules === 'all') return [{ name: DEFAULT_RULE, filter: 'true' }];
  return subscription.rules.map((rule: SubscriptionRule) => ({
    name: rule.name,
    filter: 'subject' in rule ? { subject: rule.subject } : { to: rule.to },
  }));
}

/** The SDK filter a desired rule is created with. */
export function sdkFilter(filter: DesiredFilter): SqlRuleFilter | CorrelationRuleFilter {
  return filter === 'true' ? { ...TRUE_FILTER } : { ...filter };
}

/**
 * What `--apply` would do to turn `existing` into `desired`: pure, so every case is a unit test. Creates and
 * updates entities and rules, removes rules the catalogue no longer has (and `$Default` from typed
 * subscriptions, which would otherwise copy every event into them); never deletes a queue, topic or subscription.
 */
export function planTopology(desired: ServiceBusEntities, existing: NamespaceSnapshot): TopologyPlan {
  const entityActions: PlanAction[] = [];
  const ruleAdditions: PlanAction[] = [];
  const ruleRemovals: PlanAction[] = [];

  const queues = new Map(existing.queues.map((queue) => [queue.name, queue]));
  for (const queue of desired.queues) {
    const current = queues.get(queue.name);
    if (!current) entityActions.push({ kind: 'create-queue', queue });
    else {
      const changes = settingChanges(queue, current);
      if (changes.length > 0) entityActions.push({ kind: 'update-queue', queue, changes });
    }
  }

  const topics = new Map(existing.topics.map((topic) => [topic.name, topic]));
  const subscriptions = new Map(
    existing.subscriptions.map((subscription) => [subscriptionKey(subscription.topicName, subscription.subscriptionName), subscription]),
  );
  for (const topic of desired.topics) {
    const currentTopic = topics.get(topic.name);
    if (!currentTopic) entityActions.push({ kind: 'create-topic', topic });
    else {
      const changes = compare([
        ['defaultMessageTimeToLive', isoDuration(topic.defaultMessageTimeToLiveSeconds), currentTopic.defaultMessageTimeToLive],
      ]);
      if (changes.length > 0) entityActions.push({ kind: 'update-topic', topic, changes });
    }

    for (const subscription of topic.subscriptions) {
      const rules = desiredRules(subscription);
      const current = subscriptions.get(subscriptionKey(topic.name, subscription.name));
      if (!current) {
        const [firstRule, ...others] = rules;
        if (!firstRule) throw new Error(`Subscription ${topic.name}/${subscription.name} has no rule: it would receive nothing`);
        entityActions.push({ kind: 'create-subscription', subscription, firstRule });
        others.forEach((rule) => ruleAdditions.push({ kind: 'create-rule', topic: topic.name, subscription: subscription.name, rule }));
        continue;
      }
      const changes = settingChanges(subscription, current);
      if (changes.length > 0) entityActions.push({ kind: 'update-subscription', subscription, changes });

      const currentRules = new Map(current.rules.map((rule) => [rule.name, rule]));
      for (const rule of rules) {
        const currentRule = currentRules.get(rule.name);
        const where = { topic: topic.name, subscription: subscription.name };
        if (!currentRule) ruleAdditions.push({ kind: 'create-rule', ...where, rule });
        else if (!sameFilter(rule.filter, currentRule.filter))
          ruleAdditions.push({ kind: 'update-rule', ...where, rule, was: describeFilter(currentRule.filter) });
      }
      const wanted = new Set(rules.map((rule) => rule.name));
      for (const rule of current.rules) {
        if (!wanted.has(rule.name)) {
          ruleRemovals.push({
            kind: 'delete-rule',
            topic: topic.name,
            subscription: subscription.name,
            rule: rule.name,
            was: describeFilter(rule.filter),
          });
        }
      }
    }
  }

  const desiredQueues = new Set(desired.queues.map((queue) => queue.name));
  const desiredTopics = new Set(desired.topics.map((topic) => topic.name));
  const desiredSubscriptions = new Set(
    desired.topics.flatMap((topic) => topic.subscriptions.map((subscription) => subscriptionKey(topic.name, subscription.name))),
  );
  const unmanaged = [
    ...existing.queues.filter((queue) => !desiredQueues.has(queue.name)).map((queue) => `queue ${queue.name}`),
    ...existing.topics.filter((topic) => !desiredTopics.has(topic.name)).map((topic) => `topic ${topic.name}`),
    ...existing.subscriptions
      .filter(
        (subscription) =>
          desiredTopics.has(subscription.topicName) &&
          !desiredSubscriptions.has(subscriptionKey(subscription.topicName, subscription.subscriptionName)),
      )
      .map((subscription) => `subscription ${subscription.topicName}/${subscription.subscriptionName}`),
  ];

  // Add and change rules before removing any: a subscription never passes through a moment with no rule for a
  // type it handles (the event would not be copied to it and would be lost to that service).
  return { actions: [...entityActions, ...ruleAdditions, ...ruleRemovals], unmanaged };
}

export function describeAction(action: PlanAction): string {
  switch (action.kind) {
    case 'create-queue':
      return `create queue ${action.queue.name} (${describeEntity(action.queue)})`;
    case 'update-queue':
      return `update queue ${action.queue.name}: ${describeChanges(action.changes)}`;
    case 'create-topic':
      return `create topic ${action.topic.name} (defaultMessageTimeToLive ${isoDuration(action.topic.defaultMessageTimeToLiveSeconds)})`;
    case 'update-topic':
      return `update topic ${action.topic.name}: ${describeChanges(action.changes)}`;
    case 'create-subscription':
      return `create subscription ${action.subscription.topic}/${action.subscription.name} (${describeEntity(action.subscription)}) with rule ${describeRule(action.firstRule)}`;
    case 'update-subscription':
      return `update subscription ${action.subscription.topic}/${action.subscription.name}: ${describeChanges(action.changes)}`;
    case 'create-rule':
      return `create rule ${action.topic}/${action.subscription}/${describeRule(action.rule)}`;
    case 'update-rule':
      return `update rule ${action.topic}/${action.subscription}/${describeRule(action.rule)} (was ${action.was})`;
    case 'delete-rule':
      return `delete rule ${action.topic}/${action.subscription}/${action.rule} (${action.was}${action.rule === DEFAULT_RULE ? ': it would copy every event into this subscription' : ': not in the catalogue'})`;
  }
}

function subscriptionKey(topic: string, subscription: string): string {
  return `${topic}/${subscription}`;
}

function settingChanges(desired: QueueEntity, current: Omit<QueueSnapshot, 'name'>): SettingChange[] {
  return compare([
    ['maxDeliveryCount', desired.maxDeliveryCount, current.maxDeliveryCount],
    ['lockDuration', isoDuration(desired.lockDurationSeconds), current.lockDuration],
    ['defaultMessageTimeToLive', isoDuration(desired.defaultMessageTimeToLiveSeconds), current.defaultMessageTimeToLive],
    ['deadLetteringOnMessageExpiration', desired.deadLetteringOnMessageExpiration, current.deadLetteringOnMessageExpiration],
  ]);
}

function compare(settings: ReadonlyArray<readonly [Setting, string | number | boolean, string | number | boolean]>): SettingChange[] {
  return settings.filter(([, to, from]) => !sameValue(to, from)).map(([setting, to, from]) => ({ setting, from, to }));
}

function sameValue(desired: string | number | boolean, current: string | number | boolean): boolean {
  if (typeof desired === 'string' && typeof current === 'string') {
    const seconds = durationSeconds(current);
    return seconds !== undefined && seconds === durationSeconds(desired);
  }
  return desired === current;
}

function sameFilter(desired: DesiredFilter, current: SqlRuleFilter | CorrelationRuleFilter): boolean {
  if (desired === 'true') return 'sqlExpression' in current && current.sqlExpression.trim() === TRUE_FILTER.sqlExpression;
  if ('sqlExpression' in current) return false;
  // Exactly the one property the catalogue asks for: any other set (correlationId, applicationProperties…) narrows it.
  const [key, value] = Object.entries(desired)[0] as [keyof CorrelationRuleFilter, string];
  const others = Object.entries(current).filter(([name]) => name !== key);
  const narrowed = others.some(
    ([, other]) => other !== undefined && !(typeof other === 'object' && other !== null && Object.keys(other).length === 0),
  );
  return current[key] === value && !narrowed;
}

function describeFilter(filter: SqlRuleFilter | CorrelationRuleFilter): string {
  if ('sqlExpression' in filter) return `sql ${filter.sqlExpression}`;
  const set = Object.entries(filter).filter(
    ([, value]) => value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0),
  );
  return `correlation ${set.map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(', ') || '(empty)'}`;
}

function describeRule(rule: DesiredRule): string {
  const filter = rule.filter;
  return `${rule.name} [${filter === 'true' ? 'sql 1=1' : 'subject' in filter ? `subject=${filter.subject}` : `to=${filter.to}`}]`;
}

function describeEntity(entity: QueueEntity): string {
  return [
    `maxDeliveryCount ${entity.maxDeliveryCount}`,
    `lockDuration ${isoDuration(entity.lockDurationSeconds)}`,
    `defaultMessageTimeToLive ${isoDuration(entity.defaultMessageTimeToLiveSeconds)}`,
    `deadLetteringOnMessageExpiration ${entity.deadLetteringOnMessageExpiration}`,
  ].join(', ');
}

function describeChanges(changes: readonly SettingChange[]): string {
  return changes.map((change) => `${change.setting} ${String(change.from)} -> ${String(change.to)}`).join(', ');
}
