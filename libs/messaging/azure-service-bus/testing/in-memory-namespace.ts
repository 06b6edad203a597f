import type {
  CorrelationRuleFilter,
  CreateQueueOptions,
  CreateSubscriptionOptions,
  CreateTopicOptions,
  QueueProperties,
  RuleProperties,
  SqlRuleFilter,
  SubscriptionProperties,
  TopicProperties,
  WithResponse,
} from '@azure/service-bus';
import { SHOP_MARKER_QUEUE } from '../src/entities';
import type { NamespaceAdmin } from '../src/topology/namespace';
import { DEFAULT_RULE, TRUE_FILTER } from '../src/topology/plan';

/** What an entity looks like before the test or the code under test sets anything: Service Bus's own defaults. */
const QUEUE_DEFAULTS = {
  lockDuration: 'PT1M',
  maxSizeInMegabytes: 1024,
  requiresDuplicateDetection: false,
  requiresSession: false,
  defaultMessageTimeToLive: 'P10675199DT2H48M5.4775807S',
  deadLetteringOnMessageExpiration: false,
  duplicateDetectionHistoryTimeWindow: 'PT10M',
  maxDeliveryCount: 10,
  enableBatchedOperations: true,
  status: 'Active',
  enablePartitioning: false,
  autoDeleteOnIdle: 'P10675199DT2H48M5.4775807S',
  enableExpress: false,
} as const;

type Call = readonly [method: string, ...args: string[]];

/**
 * A namespace in memory that behaves like the management API where provisioning depends on it: creating what
 * exists or touching what does not fails, and a subscription created without a default rule gets `$Default`.
 * It records every call that changes something, so a test can assert that a second apply changes nothing.
 */
export class InMemoryNamespace implements NamespaceAdmin {
  readonly queues = new Map<string, QueueProperties>();
  readonly topics = new Map<string, TopicProperties>();
  readonly subscriptions = new Map<string, SubscriptionProperties>();
  readonly rules = new Map<string, Map<string, RuleProperties>>();
  readonly changes: Call[] = [];
  /** Makes the named method fail, once, like a refused request. */
  failNext?: string;
  /** The shop marker messages of queue stitch-shop, oldest first (the data plane, as `shopMarkerQueue` sees it). */
  readonly markers: string[] = [];
  readonly shopMarker = {
    read: async (): Promise<string | undefined> => {
      this.mustExist(this.queues, SHOP_MARKER_QUEUE, 'queue');
      return this.markers[0];
    },
    write: async (shopId: string): Promise<void> => {
      this.mustExist(this.queues, SHOP_MARKER_QUEUE, 'queue');
      this.markers.push(shopId);
      this.changes.push(['sendShopMarker', shopId]);
    },
    close: async (): Promise<void> => undefined,
  };

  async *listQueues(): AsyncIterable<QueueProperties> {
    yield* [...this.queues.values()].map(copy);
  }

  async *listTopics(): AsyncIterable<TopicProperties> {
    yield* [...this.topics.values()].map(copy);
  }

  async *listSubscriptions(topicName: string): AsyncIterable<SubscriptionProperties> {
    this.mustExist(this.topics, topicName, 'topic');
    yield* [...this.subscriptions.values()].filter((subscription) => subscription.topicName === topicName).map(copy);
  }

  async *listRules(topicName: string, subscriptionName: string): AsyncIterable<RuleProperties> {
    yield* [...this.rulesOf(topicName, subscriptionName).values()].map(copy);
  }

  async createQueue(queueName: string, options: CreateQueueOptions = {}): Promise<unknown> {
    this.change('createQueue', queueName);
    if (this.queues.has(queueName)) throw conflict(`queue ${queueName}`);
    this.queues.set(queueName, { ...QUEUE_DEFAULTS, ...definedOnly(options), name: queueName } as QueueProperties);
    return {};
  }

  async getQueue(queueName: string): Promise<WithResponse<QueueProperties>> {
    return withResponse(this.mustExist(this.queues, queueName, 'queue'));
  }

  async updateQueue(queue: WithResponse<QueueProperties>): Promise<unknown> {
    this.change('updateQueue', queue.name);
    this.mustExist(this.queues, queue.name, 'queue');
    this.queues.set(queue.name, withoutResponse(queue));
    return {};
  }

  async createTopic(topicName: string, options: CreateTopicOptions = {}): Promise<unknown> {
    this.change('createTopic', topicName);
    if (this.topics.has(topicName)) throw conflict(`topic ${topicName}`);
    this.topics.set(topicName, { ...QUEUE_DEFAULTS, ...definedOnly(options), name: topicName } as unknown as TopicProperties);
    return {};
  }

  async getTopic(topicName: string): Promise<WithResponse<TopicProperties>> {
    return withResponse(this.mustExist(this.topics, topicName, 'topic'));
  }

  async updateTopic(topic: WithResponse<TopicProperties>): Promise<unknown> {
    this.change('updateTopic', topic.name);
    this.mustExist(this.topics, topic.name, 'topic');
    this.topics.set(topic.name, withoutResponse(topic));
    return {};
  }

  async createSubscription(topicName: string, subscriptionName: string, options: CreateSubscriptionOptions = {}): Promise<unknown> {
    this.change('createSubscription', topicName, subscriptionName);
    this.mustExist(this.topics, topicName, 'topic');
    const key = `${topicName}/${subscriptionName}`;
    if (this.subscriptions.has(key)) throw conflict(`subscription ${key}`);
    const { defaultRuleOptions, ...settings } = options;
    this.subscriptions.set(key, {
      ...QUEUE_DEFAULTS,
      ...definedOnly(settings),
      topicName,
      subscriptionName,
    } as unknown as SubscriptionProperties);
    const rule = defaultRuleOptions ?? { name: DEFAULT_RULE, filter: TRUE_FILTER };
    this.rules.set(key, new Map([[rule.name, { name: rule.name, filter: rule.filter ?? TRUE_FILTER, action: {} }]]));
    return {};
  }

  async getSubscription(topicName: string, subscriptionName: string): Promise<WithResponse<SubscriptionProperties>> {
    return withResponse(this.mustExist(this.subscriptions, `${topicName}/${subscriptionName}`, 'subscription'));
  }

  async updateSubscription(subscription: WithResponse<SubscriptionProperties>): Promise<unknown> {
    const key = `${subscription.topicName}/${subscription.subscriptionName}`;
    this.change('updateSubscription', key);
    this.mustExist(this.subscriptions, key, 'subscription');
    this.subscriptions.set(key, withoutResponse(subscription));
    return {};
  }

  async createRule(
    topicName: string,
    subscriptionName: string,
    ruleName: string,
    ruleFilter: SqlRuleFilter | CorrelationRuleFilter,
  ): Promise<unknown> {
    this.change('createRule', `${topicName}/${subscriptionName}`, ruleName);
    const rules = this.rulesOf(topicName, subscriptionName);
    if (rules.has(ruleName)) throw conflict(`rule ${ruleName}`);
    rules.set(ruleName, { name: ruleName, filter: ruleFilter, action: {} });
    return {};
  }

  async getRule(topicName: string, subscriptionName: string, ruleName: string): Promise<WithResponse<RuleProperties>> {
    return withResponse(this.mustExist(this.rulesOf(topicName, subscriptionName), ruleName, 'rule'));
  }

  async updateRule(topicName: string, subscriptionName: string, rule: WithResponse<RuleProperties>): Promise<unknown> {
    this.change('updateRule', `${topicName}/${subscriptionName}`, rule.name);
    const rules = this.rulesOf(topicName, subscriptionName);
    this.mustExist(rules, rule.name, 'rule');
    rules.set(rule.name, withoutResponse(rule));
    return {};
  }

  async deleteRule(topicName: string, subscriptionName: string, ruleName: string): Promise<unknown> {
    this.change('deleteRule', `${topicName}/${subscriptionName}`, ruleName);
    const rules = this.rulesOf(topicName, subscriptionName);
    this.mustExist(rules, ruleName, 'rule');
    rules.delete(ruleName);
    return {};
  }

  ruleNames(topicName: string, subscriptionName: string): string[] {
    return [...this.rulesOf(topicName, subscriptionName).keys()].sort();
  }

  private rulesOf(topicName: string, subscriptionName: string): Map<string, RuleProperties> {
    const key = `${topicName}/${subscriptionName}`;
    this.mustExist(this.subscriptions, key, 'subscription');
    return this.rules.get(key) as Map<string, RuleProperties>;
  }

  private change(method: string, ...args: string[]): void {
    this.changes.push([method, ...args]);
    if (this.failNext === method) {
      this.failNext = undefined;
      throw Object.assign(new Error(`${method} refused`), { statusCode: 403 });
    }
  }

  private mustExist<T>(map: ReadonlyMap<string, T>, key: string, what: string): T {
    const found = map.get(key);
    if (found === undefined) throw Object.assign(new Error(`${what} ${key} not found`), { statusCode: 404 });
    return copy(found);
  }
}

function conflict(what: string): Error {
  return Object.assign(new Error(`${what} already exists`), { statusCode: 409 });
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function withResponse<T extends object>(value: T): WithResponse<T> {
  return { ...value, _response: {} as WithResponse<T>['_response'] };
}

function withoutResponse<T extends object>(value: WithResponse<T>): T {
  const { _response, ...rest } = value;
  void _response;
  return copy(rest as T);
}
