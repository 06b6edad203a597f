import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from './clients';
import { queuePolicy, redrivePolicy, SHOP_TAG, TARGET_ID, TARGET_RETRY_POLICY, type AwsEntities, type QueueEntity } from './entities';

export type Log = (line: string) => void;

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

const isMissingQueue = (error: unknown) => ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'].includes(errorName(error));
const isMissingResource = (error: unknown) => errorName(error) === 'ResourceNotFoundException';

/** The lines `topology:aws` prints without `--apply`: what would be created or updated, with its settings. */
export function describePlan(entities: AwsEntities): string[] {
  const lines = [`event bus ${entities.bus}`];
  for (const queue of entities.queues) {
    const settings = [
      `retention ${queue.attributes.MessageRetentionPeriod} s`,
      `max message ${queue.attributes.MaximumMessageSize} bytes`,
      ...(queue.redrive ? [`redrive to ${queue.redrive.deadLetterQueue} after ${queue.redrive.maxReceiveCount} receives`] : []),
      ...(queue.allowRule ? [`only rule ${queue.allowRule} may send`] : []),
    ];
    lines.push(`queue ${queue.name}: ${queue.purpose} (${settings.join('; ')})`);
  }
  for (const rule of entities.rules) {
    lines.push(
      `rule ${rule.name} on ${rule.bus}: detail-type in [${rule.types.join(', ')}] → queue ${rule.targetQueue} (undeliverable → ${rule.targetDeadLetterQueue})`,
    );
  }
  return lines;
}

export interface ApplyOptions {
  /**
   * The shop instance the topology is for: every queue is tagged `stitch:shop` = this id, and a topology already
   * tagged with another shop's id is refused before anything is changed. Unset (tests): no tag is written.
   */
  readonly shopId?: string;
  readonly log?: Log;
}

/** Provisioning met a topology that belongs to another shop; nothing was changed. */
export class TopologyOfAnotherShop extends Error {
  override readonly name = 'TopologyOfAnotherShop';
}

/**
 * Creates or updates the whole topology; safe to run again and again. Existing queues get their attributes
 * set (CreateQueue would refuse a queue whose attributes differ), rules and targets are put, and rules on the
 * bus that the topology no longer names are removed. With a shop id, the queues are tagged with it (see ApplyOptions).
 */
export async function applyTopology(clients: AwsClients, entities: AwsEntities, options: ApplyOptions = {}): Promise<void> {
  const { sqs, eventBridge } = clients;
  const log = options.log ?? (() => undefined);
  const { shopId } = options;
  if (shopId) {
    const owners = otherOwners(await readShopMarkers(clients, await existingQueueUrls(clients, entities)), shopId);
    if (owners.length > 0) {
      throw new TopologyOfAnotherShop(
        `the AWS topology ${entities.prefix ? `with prefix ${entities.prefix}` : 'without a prefix'} belongs to shop ${owners.join(', ')}, not to shop ${shopId}: ` +
          'nothing changed; provision this shop under its own prefix (STITCH_PREFIX or --prefix)',
      );
    }
  }
  try {
    await eventBridge.send(new CreateEventBusCommand({ Name: entities.bus }));
    log(`created event bus ${entities.bus}`);
  } catch (error) {
    if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
    log(`event bus ${entities.bus} exists`);
  }

  const ruleArns = new Map<string, string>();
  for (const rule of entities.rules) {
    const { RuleArn } = await eventBridge.send(
      new PutRuleCommand({
        Name: rule.name,
        EventBusName: rule.bus,
        EventPattern: JSON.stringify(rule.pattern),
        State: 'ENABLED',
        Description: `Stitch: ${rule.service}'s events to ${rule.targetQueue}`,
      }),
    );
    if (!RuleArn) throw new Error(`PutRule ${rule.name} returned no ARN`);
    ruleArns.set(rule.name, RuleArn);
    log(`put rule ${rule.name} (${rule.types.length} types)`);
  }

  const queueArns = new Map<string, string>();
  for (const queue of entities.queues) {
    const attributes: Record<string, string> = { ...queue.attributes };
    if (queue.redrive)
      attributes.RedrivePolicy = redrivePolicy(arnOf(queueArns, queue.redrive.deadLetterQueue), queue.redrive.maxReceiveCount);
    const { url, created } = await ensureQueue(clients, queue, attributes, shopId);
    const arn = await queueArn(clients, url);
    queueArns.set(queue.name, arn);
    if (queue.allowRule) {
      const ruleArn = ruleArns.get(queue.allowRule);
      if (!ruleArn) throw new Error(`queue ${queue.name} names rule ${queue.allowRule}, which is not in the topology`);
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: queuePolicy(arn, ruleArn) } }));
    }
    log(`${created ? 'created' : 'updated'} queue ${queue.name}`);
  }

  for (const rule of entities.rules) {
    const result = await eventBridge.send(
      new PutTargetsCommand({
        Rule: rule.name,
        EventBusName: rule.bus,
        Targets: [
          {
            Id: TARGET_ID,
            Arn: arnOf(queueArns, rule.targetQueue),
            DeadLetterConfig: { Arn: arnOf(queueArns, rule.targetDeadLetterQueue) },
            RetryPolicy: TARGET_RETRY_POLICY,
          },
        ],
      }),
    );
    if (result.FailedEntryCount)
      throw new Error(`PutTargets on rule ${rule.name} failed: ${result.FailedEntries?.[0]?.ErrorMessage ?? 'unknown error'}`);
    log(`rule ${rule.name} targets ${rule.targetQueue}`);
  }

  const wanted = new Set(entities.rules.map((rule) => rule.name));
  for (const stale of (await listRules(clients, entities.bus)).filter((name) => !wanted.has(name))) {
    await deleteRule(clients, entities.bus, stale);
    log(`removed rule ${stale}, which the topology no longer names`);
  }
}

async function ensureQueue(
  clients: AwsClients,
  queue: QueueEntity,
  attributes: Record<string, string>,
  shopId?: string,
): Promise<{ url: string; created: boolean }> {
  const tags = shopId ? { [SHOP_TAG]: shopId } : undefined;
  try {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
    if (!QueueUrl) throw new Error(`GetQueueUrl ${queue.name} returned no URL`);
    await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    if (tags) await clients.sqs.send(new TagQueueCommand({ QueueUrl, Tags: tags }));
    return { url: QueueUrl, created: false };
  } catch (error) {
    if (!isMissingQueue(error)) throw error;
  }
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes, ...(tags ? { tags } : {}) }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue ${queue.name} returned no URL`);
  return { url: QueueUrl, created: true };
}

async function queueArn(clients: AwsClients, url: string): Promise<string> {
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for queue ${url}`);
  return Attributes.QueueArn;
}

function arnOf(arns: ReadonlyMap<string, string>, name: string): string {
  const arn = arns.get(name);
  if (!arn) throw new Error(`queue ${name} has no ARN yet; dead-letter queues are created first`);
  return arn;
}

async function listRules(clients: AwsClients, bus: string): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.eventBridge.send(new ListRulesCommand({ EventBusName: bus, ...(NextToken ? { NextToken } : {}) }));
    names.push(...(page.Rules ?? []).map((rule) => rule.Name ?? '').filter(Boolean));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

async function deleteRule(clients: AwsClients, bus: string, name: string): Promise<void> {
  const { Targets = [] } = await clients.eventBridge.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: bus }));
  if (Targets.length > 0) {
    await clients.eventBridge.send(
      new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: Targets.map((target) => target.Id ?? '') }),
    );
  }
  await clients.eventBridge.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }));
}

export interface TopologyCheck {
  /** Queue name → URL, for every queue found. */
  readonly urls: ReadonlyMap<string, string>;
  /** What is missing, one phrase each: `queue order-service`, `rule email-service on stitch`. */
  readonly missing: readonly string[];
}

/**
 * What a starting service checks: every queue (it may send to any command queue, and reads its own, their
 * dead-letter queues and `flow`), the bus, and the rules of the given service (all rules when none is given),
 * each targeting its queue. It reads and never creates: provisioning is an explicit step.
 */
export async function checkTopology(clients: AwsClients, entities: AwsEntities, service?: string): Promise<TopologyCheck> {
  const urls = new Map<string, string>();
  const missing: string[] = [];
  await Promise.all(
    entities.queues.map(async (queue) => {
      try {
        const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
        if (QueueUrl) urls.set(queue.name, QueueUrl);
      } catch (error) {
        if (!isMissingQueue(error)) throw error;
        missing.push(`queue ${queue.name}`);
      }
    }),
  );
  try {
    await clients.eventBridge.send(new DescribeEventBusCommand({ Name: entities.bus }));
  } catch (error) {
    if (!isMissingResource(error)) throw error;
    missing.push(`event bus ${entities.bus}`);
    return { urls, missing: missing.sort() };
  }
  const rules = service === undefined ? entities.rules : entities.rules.filter((rule) => rule.service === service);
  await Promise.all(
    rules.map(async (rule) => {
      try {
        await clients.eventBridge.send(new DescribeRuleCommand({ Name: rule.name, EventBusName: rule.bus }));
        const { Targets = [] } = await clients.eventBridge.send(new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: rule.bus }));
        if (!Targets.some((target) => target.Arn?.endsWith(`:${rule.targetQueue}`)))
          missing.push(`target ${rule.targetQueue} of rule ${rule.name}`);
      } catch (error) {
        if (!isMissingResource(error)) throw error;
        missing.push(`rule ${rule.name} on ${rule.bus}`);
      }
    }),
  );
  return { urls, missing: missing.sort() };
}

/** The URL of every queue of the topology that exists. */
async function existingQueueUrls(clients: AwsClients, entities: AwsEntities): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  await Promise.all(
    entities.queues.map(async (queue) => {
      try {
        const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
        if (QueueUrl) urls.set(queue.name, QueueUrl);
      } catch (error) {
        if (!isMissingQueue(error)) throw error;
      }
    }),
  );
  return urls;
}

/**
 * The shop marker of each queue: its `stitch:shop` tag (undefined where it has none), read with `sqs:ListQueueTags`,
 * the one right a service needs for it.
 */
export async function readShopMarkers(clients: AwsClients, urls: ReadonlyMap<string, string>): Promise<Map<string, string | undefined>> {
  const markers = new Map<string, string | undefined>();
  await Promise.all(
    [...urls].map(async ([queue, url]) => {
      const { Tags } = await clients.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
      markers.set(queue, Tags?.[SHOP_TAG]);
    }),
  );
  return markers;
}

/** The shop ids other than `shopId` that the markers name, sorted. */
export function otherOwners(markers: ReadonlyMap<string, string | undefined>, shopId: string): string[] {
  return [...new Set([...markers.values()].filter((owner): owner is string => !!owner && owner !== shopId))].sort();
}

/** Removes everything `applyTopology` made (rules, bus, queues); what is already gone is skipped. */
export async function deleteTopology(clients: AwsClients, entities: AwsEntities, log: Log = () => undefined): Promise<void> {
  try {
    for (const rule of await listRules(clients, entities.bus)) {
      await deleteRule(clients, entities.bus, rule);
      log(`deleted rule ${rule}`);
    }
    await clients.eventBridge.send(new DeleteEventBusCommand({ Name: entities.bus }));
    log(`deleted event bus ${entities.bus}`);
  } catch (error) {
    if (!isMissingResource(error)) throw error;
  }
  for (const queue of entities.queues) {
    try {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl }));
      log(`deleted queue ${queue.name}`);
    } catch (error) {
      if (!isMissingQueue(error)) throw error;
    }
  }
}
