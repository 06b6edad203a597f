import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { checkedBlocks } from './checked-blocks';
import { planLines, planOffline, planRequest, SAMPLE_CONFIG, serviceRights, type OfflinePlan, type PlannedResource } from './offline-plan';
import { consumedEntities, entityKey } from './service-rights';

// The workshop lab states what the program declares; each output it shows and each claim of its checkpoint is
// read from its text and checked against the program run under Pulumi's mocks, so a program that changes without the
// lab fails here. A block to check is a fenced block after `<!-- checked: plan:azure <arguments> -->`: it must be
// exactly what `npm run -s plan:azure -- <arguments>` prints (`npm run plan:azure -- --update-checked <lab>` rewrites
// them all from the program).
const LAB = path.resolve(__dirname, '../../../docs/workshop/09-deploy-to-azure/README.md');
const lab = readFileSync(LAB, 'utf8');
const checkpoint = section('## Checkpoint');
const prefix = SAMPLE_CONFIG['prefix'] ?? '';

/** The lab's text from `heading` to the next heading of that level, on one line. */
function section(heading: string): string {
  const start = lab.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${LAB} has no "${heading}" section`);
  const next = lab.indexOf('\n## ', start + heading.length + 2);
  return lab.slice(start, next < 0 ? undefined : next).replace(/\s+/g, ' ');
}

/** The captures of `pattern` in the checkpoint, by the names given in order; a claim reworded past recognition fails naming it. */
function claim<Name extends string>(pattern: RegExp, ...names: Name[]): Record<Name, string> {
  const match = pattern.exec(checkpoint);
  if (!match) throw new Error(`the lab's checkpoint no longer states ${pattern}: update this test with the lab`);
  const captures = match.slice(1);
  if (captures.length !== names.length) throw new Error(`${pattern} captures ${captures.length} values, ${names.length} names given`);
  return Object.fromEntries(names.map((name, index) => [name, captures[index]])) as Record<Name, string>;
}

/** The program under the mocks with `config`, once per distinct config. */
const plans = new Map<string, Promise<OfflinePlan>>();
function planFor(config: Readonly<Record<string, string>>): Promise<OfflinePlan> {
  const key = JSON.stringify(config);
  const cached = plans.get(key);
  if (cached) return cached;
  // One program run at a time: the mocks and the stack config are global to Pulumi's runtime.
  const previous = [...plans.values()].pop() ?? Promise.resolve(undefined);
  const planned = previous.then(() =>
    planOffline(config, () => {
      let program: Record<string, unknown> | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs when it is loaded, after the mocks are in place
        program = require('./index') as Record<string, unknown>;
      });
      if (!program) throw new Error('the program did not load');
      return program;
    }),
  );
  plans.set(key, planned);
  return planned;
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const ofType = (plan: OfflinePlan, type: string) => plan.resources.filter((resource) => resource.type === type);
const appName = (app: PlannedResource) => text(app.state['containerAppName']);

interface ScaleRule {
  readonly name: string;
  readonly custom?: { readonly type?: string; readonly metadata?: Record<string, string>; readonly identity?: string };
}

function scaleOf(app: PlannedResource): { minReplicas?: number; maxReplicas?: number; rules?: ScaleRule[] } {
  return ((app.state['template'] as { scale?: object } | undefined)?.scale ?? {}) as ReturnType<typeof scaleOf>;
}

/** The lines of one identity's heading in `--rights` output. */
function identityLines(lines: readonly string[], identity: string): string[] {
  const start = lines.indexOf(`identity ${identity}:`);
  if (start < 0) throw new Error(`no identity ${identity} in ${lines.join('\n')}`);
  const next = lines.findIndex((line, index) => index > start && !line.startsWith('  '));
  return lines.slice(start + 1, next < 0 ? undefined : next).map((line) => line.trim());
}

describe('the workshop lab "Deploy to Azure" agrees with the program', () => {
  let plan: OfflinePlan;
  beforeAll(async () => {
    plan = await planFor(SAMPLE_CONFIG);
  }, 60_000);

  it('shows exactly what npm run plan:azure prints, in every checked block', async () => {
    const blocks = checkedBlocks(lab);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const request = planRequest(block.args.split(/\s+/).filter(Boolean));
      const printed = planLines(await planFor(request.config), request);
      expect({ command: `npm run -s plan:azure -- ${block.args}`, lines: block.lines }).toEqual({
        command: `npm run -s plan:azure -- ${block.args}`,
        lines: printed,
      });
    }
  }, 120_000);

  it('counts the Service Bus queues, topics and subscriptions as the checkpoint does', () => {
    const { queues, topics, subscriptions } = claim(
      /\*\*(\d+)\*\* Service Bus queues, \*\*(\d+)\*\* topics and \*\*(\d+)\*\* subscriptions/,
      'queues',
      'topics',
      'subscriptions',
    );
    expect(ofType(plan, 'azure-native:servicebus:Queue')).toHaveLength(Number(queues));
    expect(ofType(plan, 'azure-native:servicebus:Topic')).toHaveLength(Number(topics));
    expect(ofType(plan, 'azure-native:servicebus:Subscription')).toHaveLength(Number(subscriptions));
  });

  it("lets the named service's identity receive from the queues the checkpoint names and no other", () => {
    const { service, own, marker } = claim(
      /The identity of `([\w-]+)` is Azure Service Bus Data Receiver on the queues `([\w-]+)` and `([\w-]+)` and on no other queue/,
      'service',
      'own',
      'marker',
    );
    const lines = identityLines(serviceRights(plan, prefix, service), `${prefix}-${service}`);
    expect(lines.filter((line) => line.startsWith('Azure Service Bus Data Receiver: queue '))).toEqual(
      [own, marker].sort().map((queue) => `Azure Service Bus Data Receiver: queue ${queue}`),
    );
  });

  it("gives none of the named service's identities a role on the other queue the checkpoint names", () => {
    const { service, other } = claim(/None of the identities of `([\w-]+)` holds a role on the queue `([\w-]+)`/, 'service', 'other');
    expect(serviceRights(plan, prefix, service).filter((line) => line.endsWith(`: queue ${other}`))).toEqual([]);
  });

  it("lets the named service's identity send exactly where the checkpoint says", () => {
    const { service, queue, first, second } = claim(
      /`([\w-]+)` is Azure Service Bus Data Sender on exactly the queue `([\w-]+)` and the topics `([\w-]+)` and `([\w-]+)`/,
      'service',
      'queue',
      'first',
      'second',
    );
    const lines = identityLines(serviceRights(plan, prefix, service), `${prefix}-${service}`);
    expect(lines.filter((line) => line.startsWith('Azure Service Bus Data Sender: '))).toEqual([
      `Azure Service Bus Data Sender: queue ${queue}`,
      ...[first, second].sort().map((topic) => `Azure Service Bus Data Sender: topic ${topic}`),
    ]);
  });

  it('scales as many apps on as many KEDA rules, each on an entity the app consumes, as the checkpoint says', () => {
    const { apps, rules, messages, min, max } = claim(
      /\*\*(\d+)\*\* apps scale on KEDA `azure-servicebus` rules, \*\*(\d+)\*\* rules in all, one per queue or subscription the app consumes, at \*\*(\d+)\*\* messages per replica; every app runs between \*\*(\d+)\*\* and \*\*(\d+)\*\* replicas/,
      'apps',
      'rules',
      'messages',
      'min',
      'max',
    );
    const containerApps = ofType(plan, 'azure-native:app:ContainerApp');
    const scaled = containerApps.filter((app) => (scaleOf(app).rules ?? []).length > 0);
    expect(scaled).toHaveLength(Number(apps));
    expect(scaled.flatMap((app) => scaleOf(app).rules ?? [])).toHaveLength(Number(rules));
    for (const app of containerApps) {
      const scale = scaleOf(app);
      expect(scale).toMatchObject({ minReplicas: Number(min), maxReplicas: Number(max) });
      const entities = (scale.rules ?? []).map(({ custom }) => {
        expect(custom).toMatchObject({ type: 'azure-servicebus', metadata: { messageCount: messages } });
        const { queueName, topicName, subscriptionName } = custom?.metadata ?? {};
        return queueName ? `queue ${queueName}` : `subscription ${topicName}/${subscriptionName}`;
      });
      expect(entities).toEqual(consumedEntities(shopCatalogue, appName(app)).map(entityKey));
    }
  });

  it('reads every backlog as an identity named for the app it scales', () => {
    claim(/Each rule reads its backlog as an identity named for its app/);
    const identities = new Map(
      ofType(plan, 'azure-native:managedidentity:UserAssignedIdentity').map((identity) => [
        identity.id,
        text(identity.state['resourceName']),
      ]),
    );
    for (const app of ofType(plan, 'azure-native:app:ContainerApp')) {
      for (const rule of scaleOf(app).rules ?? []) {
        expect(identities.get(rule.custom?.identity ?? '')).toMatch(new RegExp(`^${prefix}-${appName(app)}(-|$)`));
      }
    }
  });

  it("gives the named service's scaler identity Data Owner on the entity the checkpoint names, and nothing else", () => {
    const { service, queue } = claim(
      /The scaler identity of `([\w-]+)` is Azure Service Bus Data Owner on exactly the queue `([\w-]+)`, and holds no other role/,
      'service',
      'queue',
    );
    expect(identityLines(serviceRights(plan, prefix, service), `${prefix}-${service}-scaler`)).toEqual([
      `Azure Service Bus Data Owner: queue ${queue}`,
    ]);
  });

  it('exposes only the app the checkpoint names outside the environment', () => {
    const { service } = claim(/`([\w-]+)` is the only app with external ingress/, 'service');
    const external = ofType(plan, 'azure-native:app:ContainerApp')
      .filter((app) => (app.state['configuration'] as { ingress?: { external?: boolean } } | undefined)?.ingress?.external === true)
      .map(appName);
    expect(external).toEqual([service]);
    expect(shopServices.filter((each) => each.publicHttp).map((each) => each.name)).toEqual([service]);
  });
});
