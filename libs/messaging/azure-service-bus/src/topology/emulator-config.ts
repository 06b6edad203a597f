import { SHOP_MARKER_QUEUE, type QueueEntity, type ServiceBusEntities, type SubscriptionRule } from '../entities';
import { durationSeconds, isoDuration } from './duration';

/**
 * The Service Bus emulator's `Config.json` (schema: ServiceBus-Emulator/Schema/Config-schema.json in
 * Azure/azure-service-bus-emulator-installer). The emulator creates its entities from this file at start and
 * offers no management API the JavaScript SDK can reach, so this file is how it is provisioned.
 */
export interface EmulatorEntityProperties {
  readonly DeadLetteringOnMessageExpiration: boolean;
  readonly DefaultMessageTimeToLive: string;
  readonly LockDuration: string;
  readonly MaxDeliveryCount: number;
  readonly RequiresSession: false;
}

export interface EmulatorQueue {
  readonly Name: string;
  readonly Properties: EmulatorEntityProperties & { readonly RequiresDuplicateDetection: false };
}

/** The properties a correlation filter may match in Config.json, by the schema's names (`Label` is `subject`). */
export interface EmulatorCorrelationFilter {
  readonly ContentType?: string;
  readonly CorrelationId?: string;
  readonly Label?: string;
  readonly MessageId?: string;
  readonly ReplyTo?: string;
  readonly ReplyToSessionId?: string;
  readonly SessionId?: string;
  readonly To?: string;
  readonly Properties?: Readonly<Record<string, string>>;
}

export interface EmulatorRule {
  readonly Name: string;
  readonly Properties:
    | { readonly FilterType: 'Correlation'; readonly CorrelationFilter: EmulatorCorrelationFilter }
    | { readonly FilterType: 'Sql'; readonly SqlFilter: { readonly SqlExpression: string } };
}

export interface EmulatorSubscription {
  readonly Name: string;
  readonly Properties: EmulatorEntityProperties;
  /** Absent: the emulator gives the subscription the `$Default` true filter (the flow channel wants that). */
  readonly Rules?: readonly EmulatorRule[];
}

export interface EmulatorTopic {
  readonly Name: string;
  readonly Properties: { readonly DefaultMessageTimeToLive: string; readonly RequiresDuplicateDetection: false };
  readonly Subscriptions: readonly EmulatorSubscription[];
}

export interface EmulatorConfig {
  readonly UserConfig: {
    readonly Namespaces: ReadonlyArray<{
      readonly Name: string;
      readonly Queues: readonly EmulatorQueue[];
      readonly Topics: readonly EmulatorTopic[];
    }>;
    readonly Logging: { readonly Type: 'File' | 'Console' | 'File,Console' | 'Console,File' };
  };
}

/** The emulator's documented limits (usage quotas in "Overview of the Azure Service Bus emulator", and the schema). */
export const EMULATOR_LIMITS = {
  /** The one namespace, which cannot be renamed. */
  namespace: 'sbemulatorns',
  queuesAndTopics: 50,
  subscriptionsPerTopic: 50,
  correlationFiltersPerTopic: 1000,
  sqlFilters: 20,
  maxDeliveryCount: { min: 1, max: 10 },
  queueLockSeconds: { min: 5, max: 300 },
  subscriptionLockSeconds: { min: 60, max: 300 },
  timeToLiveSeconds: { min: 300, max: 3600 },
  /** Entity and rule names: letters and digits at both ends; word characters, '-', '.', '/' between. */
  name: /^[A-Za-z0-9]$|^[A-Za-z0-9][\w\-./]*[A-Za-z0-9]$/,
  /** Subscription and rule names (Service Bus's own limit, which the emulator shares). */
  nameLength: 50,
} as const;

/**
 * The emulator's Config.json for these entities. One adjustment, and only upward: a time-to-live shorter than the
 * emulator's minimum (the flow channel's 60 s) becomes that minimum, 5 minutes. Flow records are best effort and
 * their readers drop stale ones, so their lingering longer on a laptop changes nothing a user sees.
 */
export function emulatorConfig(entities: ServiceBusEntities): EmulatorConfig {
  return {
    UserConfig: {
      Namespaces: [
        {
          Name: EMULATOR_LIMITS.namespace,
          Queues: entities.queues.map((queue) => ({
            Name: queue.name,
            Properties: { ...entityProperties(emulatorQueue(queue)), RequiresDuplicateDetection: false },
          })),
          Topics: entities.topics.map((topic) => ({
            Name: topic.name,
            Properties: {
              DefaultMessageTimeToLive: emulatorTimeToLive(topic.defaultMessageTimeToLiveSeconds),
              RequiresDuplicateDetection: false,
            },
            Subscriptions: topic.subscriptions.map((subscription) => ({
              Name: subscription.name,
              Properties: entityProperties(subscription),
              ...(subscription.rules === 'all'
                ? {}
                : {
                    Rules: subscription.rules.map((rule) => ({
                      Name: rule.name,
                      Properties: { FilterType: 'Correlation' as const, CorrelationFilter: correlationFilter(rule) },
                    })),
                  }),
            })),
          })),
        },
      ],
      Logging: { Type: 'Console' },
    },
  };
}

/** The file as committed and as `--emulator-config` writes it. */
export function emulatorConfigJson(config: EmulatorConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
}

/** Throws naming every place the config breaks one of the emulator's documented limits. */
export function checkEmulatorConfig(config: EmulatorConfig): void {
  const problems: string[] = [];
  const limits = EMULATOR_LIMITS;
  const namespaces = config.UserConfig.Namespaces;
  if (namespaces.length !== 1) problems.push(`the emulator has exactly 1 namespace, the config has ${namespaces.length}`);
  let sqlFilters = 0;
  for (const namespace of namespaces) {
    if (namespace.Name !== limits.namespace)
      problems.push(`namespace "${namespace.Name}": the emulator's namespace is "${limits.namespace}" and cannot be renamed`);
    const entityCount = namespace.Queues.length + namespace.Topics.length;
    if (entityCount > limits.queuesAndTopics)
      problems.push(`${entityCount} queues and topics: the emulator allows ${limits.queuesAndTopics}`);
    for (const queue of namespace.Queues) {
      checkName(`queue ${queue.Name}`, queue.Name, problems);
      checkProperties(`queue ${queue.Name}`, queue.Properties, limits.queueLockSeconds, problems);
    }
    for (const topic of namespace.Topics) {
      checkName(`topic ${topic.Name}`, topic.Name, problems);
      checkDuration(
        `topic ${topic.Name}: DefaultMessageTimeToLive`,
        topic.Properties.DefaultMessageTimeToLive,
        limits.timeToLiveSeconds,
        problems,
      );
      const subscriptions = topic.Subscriptions.length;
      if (subscriptions < 1 || subscriptions > limits.subscriptionsPerTopic) {
        problems.push(`topic ${topic.Name}: ${subscriptions} subscriptions, the emulator needs 1 to ${limits.subscriptionsPerTopic}`);
      }
      let correlationFilters = 0;
      for (const subscription of topic.Subscriptions) {
        const where = `subscription ${topic.Name}/${subscription.Name}`;
        checkName(where, subscription.Name, problems, limits.nameLength);
        checkProperties(where, subscription.Properties, limits.subscriptionLockSeconds, problems);
        for (const rule of subscription.Rules ?? []) {
          checkName(`rule ${topic.Name}/${subscription.Name}/${rule.Name}`, rule.Name, problems, limits.nameLength);
          if (rule.Properties.FilterType === 'Correlation') {
            correlationFilters += 1;
            if (Object.keys(rule.Properties.CorrelationFilter).length === 0)
              problems.push(`rule ${topic.Name}/${subscription.Name}/${rule.Name}: an empty correlation filter`);
          } else sqlFilters += 1;
        }
      }
      if (correlationFilters > limits.correlationFiltersPerTopic) {
        problems.push(
          `topic ${topic.Name}: ${correlationFilters} correlation filters, the emulator allows ${limits.correlationFiltersPerTopic}`,
        );
      }
    }
  }
  if (sqlFilters > limits.sqlFilters) problems.push(`${sqlFilters} SQL filters: the emulator allows ${limits.sqlFilters}`);
  if (problems.length > 0) throw new EmulatorConfigError(`Service Bus emulator Config.json: ${problems.join('; ')}`);
}

function correlationFilter(rule: SubscriptionRule): EmulatorCorrelationFilter {
  return 'subject' in rule ? { Label: rule.subject } : { To: rule.to };
}

function entityProperties(entity: QueueEntity): EmulatorEntityProperties {
  return {
    DeadLetteringOnMessageExpiration: entity.deadLetteringOnMessageExpiration,
    DefaultMessageTimeToLive: emulatorTimeToLive(entity.defaultMessageTimeToLiveSeconds),
    LockDuration: isoDuration(entity.lockDurationSeconds),
    MaxDeliveryCount: entity.maxDeliveryCount,
    RequiresSession: false,
  };
}

/**
 * The shop marker's message lives as long as the emulator lets anything live (1 hour); on the emulator the first
 * service that finds the marker queue empty writes it again (see the transport's start()).
 */
function emulatorQueue(queue: QueueEntity): QueueEntity {
  if (queue.name !== SHOP_MARKER_QUEUE) return queue;
  return {
    ...queue,
    defaultMessageTimeToLiveSeconds: Math.min(queue.defaultMessageTimeToLiveSeconds, EMULATOR_LIMITS.timeToLiveSeconds.max),
  };
}

function emulatorTimeToLive(seconds: number): string {
  return isoDuration(Math.max(seconds, EMULATOR_LIMITS.timeToLiveSeconds.min));
}

function checkProperties(
  where: string,
  properties: EmulatorEntityProperties,
  lock: { min: number; max: number },
  problems: string[],
): void {
  const deliveries = properties.MaxDeliveryCount;
  const { min, max } = EMULATOR_LIMITS.maxDeliveryCount;
  if (!Number.isInteger(deliveries) || deliveries < min || deliveries > max)
    problems.push(`${where}: MaxDeliveryCount ${deliveries} is outside ${min}..${max}`);
  checkDuration(`${where}: LockDuration`, properties.LockDuration, lock, problems);
  checkDuration(`${where}: DefaultMessageTimeToLive`, properties.DefaultMessageTimeToLive, EMULATOR_LIMITS.timeToLiveSeconds, problems);
}

function checkDuration(where: string, value: string, range: { min: number; max: number }, problems: string[]): void {
  const seconds = durationSeconds(value);
  if (seconds === undefined) problems.push(`${where} "${value}" is not an ISO 8601 duration`);
  else if (seconds < range.min || seconds > range.max)
    problems.push(`${where} ${value} is outside ${isoDuration(range.min)}..${isoDuration(range.max)}`);
}

function checkName(where: string, name: string, problems: string[], maxLength?: number): void {
  if (!EMULATOR_LIMITS.name.test(name)) problems.push(`${where}: the name "${name}" has characters the emulator refuses`);
  if (maxLength !== undefined && name.length > maxLength) problems.push(`${where}: the name is longer than ${maxLength} characters`);
}
