import { parseArgs } from 'node:util';
import * as pulumi from '@pulumi/pulumi';
import { recordResources, unwrapSecrets } from './pulumi-mocks';

/**
 * The program run offline: `src/index.ts` under Pulumi's mocks (the same ones its specs use), so anyone without an
 * Azure subscription or a Pulumi CLI can read what `pulumi up` would declare: how many resources of each type, who
 * may do what, the Service Bus entities, how each app scales. Nothing here knows the program's resource list: every
 * view reads whatever resources it registered, by their Azure resource types.
 */

/** The stack config a workshop room uses; Pulumi.yaml requires the first two. */
export const SAMPLE_CONFIG: Readonly<Record<string, string>> = { prefix: 'stitch', location: 'westeurope' };

/** The Pulumi project (Pulumi.yaml's name): config keys are namespaced by it, and so are the program's own component types. */
const PROJECT = 'stitch';

/** One resource the program registered, with its inputs and the outputs the mocks gave it, secrets unwrapped. */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  /** The id the mocks gave it: for the types whose id others refer to, the Azure resource id it would have. */
  readonly id: string;
  readonly state: Record<string, unknown>;
}

export interface OfflinePlan {
  /** Every custom resource (what Azure would hold), in registration order. */
  readonly resources: readonly PlannedResource[];
  /** The program's own component resources, by type. */
  readonly components: readonly string[];
  /** The names of the stack outputs the program exports. */
  readonly outputs: readonly string[];
}

interface RegisteredState {
  readonly urn: string;
  readonly id?: string | null;
  readonly state: Record<string, unknown>;
}

interface MonitorWithState {
  getRegisteredResources(): Map<string, RegisteredState>;
}

function hasRegisteredResources(monitor: unknown): monitor is MonitorWithState {
  return typeof (monitor as Partial<MonitorWithState> | undefined)?.getRegisteredResources === 'function';
}

/**
 * Runs the program once under Pulumi's mocks with `config` as its stack config and returns what it registered.
 * `load` evaluates the program (a `require` of src/index.ts); it must not have run before in this module registry,
 * since a Pulumi program runs when it is loaded.
 */
export async function planOffline(config: Readonly<Record<string, string>>, load: () => Record<string, unknown>): Promise<OfflinePlan> {
  await recordResources();
  const monitor = pulumi.runtime.getMonitor();
  if (!hasRegisteredResources(monitor)) throw new Error('offline plan: Pulumi is not running under its mocks');
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value])));
  const program = load();
  // Every registration is an RPC to the mock monitor; this waits until the last one has answered.
  await pulumi.runtime.disconnect();
  const registered = [...monitor.getRegisteredResources().values()].map(({ urn, id, state }) => ({
    ...typeAndName(urn),
    id: id ?? '',
    state: unwrapSecrets(state) as Record<string, unknown>,
  }));
  const isComponent = (resource: { type: string }) => resource.type.startsWith(`${PROJECT}:`);
  return {
    resources: registered.filter((resource) => !isComponent(resource)),
    components: [...new Set(registered.filter(isComponent).map((resource) => resource.type))].sort(),
    outputs: Object.keys(program).sort(),
  };
}

/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`. */
function typeAndName(urn: string): { type: string; name: string } {
  const [, , qualifiedType = '', ...name] = urn.split('::');
  return { type: qualifiedType.split('$').pop() ?? qualifiedType, name: name.join('::') };
}

function ofType(plan: OfflinePlan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

const byText = (a: string, b: string) => a.localeCompare(b);

/** (a) How many resources of each Azure type the program declares. */
export function resourceCounts(plan: OfflinePlan): string[] {
  const counts = new Map<string, number>();
  for (const { type } of plan.resources) counts.set(type, (counts.get(type) ?? 0) + 1);
  return [
    `${plan.resources.length} resources`,
    ...[...counts].sort(([a], [b]) => byText(a, b)).map(([type, count]) => `${String(count).padStart(4)} ${type}`),
    `components: ${plan.components.map((type) => type.split(':').pop()).join(', ')}`,
    `stack outputs: ${plan.outputs.join(', ')}`,
  ];
}

/** Azure's built-in roles the program grants, by role definition id: the same id in every subscription and tenant. */
export const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
  '090c5cfd-751d-490a-894a-3ce6f1109419': 'Azure Service Bus Data Owner',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '8311e382-0749-4cb8-b61a-304f252e45ec': 'AcrPush',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
};

/** A role definition id's built-in role name, or `role <guid>` for one the table does not know. */
export function roleName(roleDefinitionId: string): string {
  const guid = roleDefinitionId.split('/').pop() ?? roleDefinitionId;
  return BUILT_IN_ROLES[guid.toLowerCase()] ?? `role ${guid}`;
}

/** Resource types whose singular says less than a plainer word. */
const PLAIN_NAMES: Readonly<Record<string, string>> = { userAssignedIdentity: 'identity' };

function singular(type: string): string {
  const one = type.endsWith('ies') ? `${type.slice(0, -3)}y` : type.replace(/s$/, '');
  return PLAIN_NAMES[one] ?? one;
}

/**
 * What an Azure resource id names, readably: `/…/namespaces/x/topics/events/subscriptions/order-service` is
 * `subscription events/order-service`, `/…/registries/stitchstitch` is `registry stitchstitch`. The first name under
 * a provider (the namespace, vault or registry) is left out of a child's name. Anything else is returned as it is.
 */
export function scopeName(id: string): string {
  const segments = id.split('/').filter(Boolean);
  const provider = segments.findIndex((segment) => segment.toLowerCase() === 'providers');
  const pairs = provider >= 0 ? segments.slice(provider + 2) : segments.slice(2);
  if (pairs.length < 2 || pairs.length % 2 !== 0) return id;
  const types = pairs.filter((_, index) => index % 2 === 0);
  const names = pairs.filter((_, index) => index % 2 === 1);
  const last = singular(types[types.length - 1] ?? '');
  return names.length === 1 ? `${last} ${names[0]}` : `${last} ${names.slice(1).join('/')}`;
}

/**
 * (b) The role assignments of a service's identities: its own (`<prefix>-<service>`) and any other identity named
 * for it (`<prefix>-<service>-…`), each under its name, one `role: scope` line per assignment.
 */
export function serviceRights(plan: OfflinePlan, prefix: string, service: string): string[] {
  const identities = ofType(plan, 'azure-native:managedidentity:UserAssignedIdentity')
    .map((identity) => ({ name: text(identity.state['resourceName']), principalId: identity.state['principalId'] }))
    .filter(({ name }) => name === `${prefix}-${service}` || name.startsWith(`${prefix}-${service}-`))
    .sort((a, b) => byText(a.name, b.name));
  if (identities.length === 0) {
    const known = ofType(plan, 'azure-native:managedidentity:UserAssignedIdentity').map((identity) => text(identity.state['resourceName']));
    throw new Error(`no identity named ${prefix}-${service}; the identities are ${known.sort(byText).join(', ')}`);
  }
  const assignments = ofType(plan, 'azure-native:authorization:RoleAssignment');
  return identities.flatMap(({ name, principalId }) => [
    `identity ${name}:`,
    ...assignments
      .filter((assignment) => assignment.state['principalId'] === principalId)
      .map((assignment) => `  ${roleName(text(assignment.state['roleDefinitionId']))}: ${scopeName(text(assignment.state['scope']))}`)
      .sort(byText),
  ]);
}

/** Every role definition id the program assigns that BUILT_IN_ROLES cannot name. */
export function unnamedRoles(plan: OfflinePlan): string[] {
  return [
    ...new Set(
      ofType(plan, 'azure-native:authorization:RoleAssignment')
        .map((assignment) => text(assignment.state['roleDefinitionId']))
        .filter((id) => roleName(id).startsWith('role ')),
    ),
  ];
}

/** A rule's filter as a reader thinks of it; ARM calls a message's subject `label`. */
function filterText(rule: Record<string, unknown>): string {
  const sql = record(rule['sqlFilter'])['sqlExpression'];
  if (rule['filterType'] === 'SqlFilter' && sql !== undefined) return `sql ${text(sql)}`;
  const correlation = Object.entries(record(rule['correlationFilter']))
    .filter(([key]) => key !== 'requiresPreprocessing')
    .map(([key, value]) => `${key === 'label' ? 'subject' : key} = ${text(value)}`);
  return correlation.length > 0 ? correlation.join(', ') : `${text(rule['filterType'])} filter`;
}

/** (c) The Service Bus queues, topics, subscriptions and their rules, with their filters and most deliveries. */
export function serviceBusEntities(plan: OfflinePlan): string[] {
  const deliveries = (entity: PlannedResource) => `max deliveries ${text(entity.state['maxDeliveryCount'])}`;
  const queues = ofType(plan, 'azure-native:servicebus:Queue')
    .sort((a, b) => byText(text(a.state['queueName']), text(b.state['queueName'])))
    .map((queue) => `queue ${text(queue.state['queueName'])}: ${deliveries(queue)}`);
  const rules = [...ofType(plan, 'azure-native:servicebus:DefaultRule'), ...ofType(plan, 'azure-native:servicebus:Rule')];
  const subscriptions = ofType(plan, 'azure-native:servicebus:Subscription');
  const topics = ofType(plan, 'azure-native:servicebus:Topic')
    .map((topic) => text(topic.state['topicName']))
    .sort(byText)
    .flatMap((topic) => [
      `topic ${topic}`,
      ...subscriptions
        .filter((subscription) => subscription.state['topicName'] === topic)
        .sort((a, b) => byText(text(a.state['subscriptionName']), text(b.state['subscriptionName'])))
        .flatMap((subscription) => {
          const name = subscription.state['subscriptionName'];
          const own = rules
            .filter((rule) => rule.state['topicName'] === topic && rule.state['subscriptionName'] === name)
            .map((rule) => ({
              name: rule.type.endsWith(':DefaultRule') ? '$Default' : text(rule.state['ruleName']),
              filter: filterText(rule.state),
            }))
            .sort((a, b) => byText(a.name, b.name));
          return [
            `  subscription ${topic}/${text(name)}: ${deliveries(subscription)}`,
            ...own.map((rule) => `    rule ${rule.name}: ${rule.filter}`),
          ];
        }),
    ]);
  return [...queues, ...topics];
}

/** What a KEDA Service Bus rule's metadata points at. */
function scaledEntity(metadata: Record<string, unknown>): { entity: string; rest: [string, unknown][] } {
  const { queueName, topicName, subscriptionName, ...rest } = metadata;
  const entity =
    queueName !== undefined
      ? `queue ${text(queueName)}`
      : topicName !== undefined
        ? `subscription ${text(topicName)}/${text(subscriptionName)}`
        : 'the whole namespace';
  return { entity, rest: Object.entries(rest).sort(([a], [b]) => byText(a, b)) };
}

/** (d) Each container app's replicas, ingress and scale rules. */
export function scaling(plan: OfflinePlan): string[] {
  return ofType(plan, 'azure-native:app:ContainerApp')
    .sort((a, b) => byText(text(a.state['containerAppName']), text(b.state['containerAppName'])))
    .flatMap((containerApp) => {
      const scale = record(record(containerApp.state['template'])['scale']);
      const ingress = record(record(containerApp.state['configuration'])['ingress']);
      const exposure =
        Object.keys(ingress).length === 0 ? 'no ingress' : ingress['external'] === true ? 'external ingress' : 'internal ingress';
      const rules = list(scale['rules']).map((each) => {
        const rule = record(each);
        const custom = record(rule['custom']);
        if (Object.keys(custom).length === 0) return `  ${text(rule['name'])}: ${JSON.stringify(rule)}`;
        const { entity, rest } = scaledEntity(record(custom['metadata']));
        const settings = rest.map(([key, value]) => `${key} ${text(value)}`).join(', ');
        const identity = custom['identity'] === undefined ? '' : `, as ${scopeName(text(custom['identity']))}`;
        return `  ${text(rule['name'])}: ${text(custom['type'])} on ${entity} (${settings})${identity}`;
      });
      return [
        `${text(containerApp.state['containerAppName'])}: ${text(scale['minReplicas'])} to ${text(scale['maxReplicas'])} replicas, ${exposure}`,
        ...(rules.length > 0 ? rules : ['  no scale rules']),
      ];
    });
}

export interface PlanRequest {
  readonly config: Readonly<Record<string, string>>;
  /** A Markdown file whose checked blocks to rewrite with what this command prints (see checked-blocks.ts). */
  readonly updateChecked?: string;
  /** A service whose role assignments to list. */
  readonly rights?: string;
  readonly entities?: boolean;
  readonly scaling?: boolean;
}

export const PLAN_USAGE = `usage: npm run plan:azure -- [--rights <name>] [--entities] [--scaling] [--config key=value]...
       npm run plan:azure -- --update-checked <file.md>
  (no option)             how many resources of each Azure type the program declares
  --rights <name>         the role assignments of the identities named for a service (or the database-roles job),
                          one "role: scope" line each
  --entities              the Service Bus queues, topics and subscriptions, with their rules and most deliveries
  --scaling               each container app's replicas, ingress and scale rules
  --config key=value      stack config on top of the sample (${Object.entries(SAMPLE_CONFIG)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ')})
  --update-checked <file> rewrite each block after "<!-- checked: plan:azure <arguments> -->" in that Markdown file
                          with what the command prints for those arguments`;

/** The command line of `npm run plan:azure` (its arguments after `--`), with `--config` pairs over the sample config. */
export function planRequest(argv: readonly string[]): PlanRequest & { readonly help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rights: { type: 'string' },
      entities: { type: 'boolean', default: false },
      scaling: { type: 'boolean', default: false },
      config: { type: 'string', multiple: true, default: [] },
      'update-checked': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const config: Record<string, string> = { ...SAMPLE_CONFIG };
  for (const pair of values.config) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--config takes key=value, got "${pair}"`);
    config[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    config,
    entities: values.entities,
    scaling: values.scaling,
    help: values.help,
    ...(values.rights !== undefined ? { rights: values.rights } : {}),
    ...(values['update-checked'] !== undefined ? { updateChecked: values['update-checked'] } : {}),
  };
}

/** The lines the offline plan prints for `request`: the resource counts, or the views asked for, in a fixed order. */
export function planLines(plan: OfflinePlan, request: PlanRequest): string[] {
  const views: string[][] = [];
  if (request.rights !== undefined) views.push(serviceRights(plan, request.config['prefix'] ?? '', request.rights));
  if (request.entities) views.push(serviceBusEntities(plan));
  if (request.scaling) views.push(scaling(plan));
  if (views.length === 0) views.push(resourceCounts(plan));
  return views.flatMap((view, index) => (index === 0 ? view : ['', ...view]));
}
