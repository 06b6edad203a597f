import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { serviceBusEntities as catalogueEntities } from '@stitch/messaging-azure-service-bus';
import {
  planLines,
  planOffline,
  roleName,
  SAMPLE_CONFIG,
  scopeName,
  serviceBusEntities,
  serviceRights,
  unnamedRoles,
  type OfflinePlan,
} from './offline-plan';
import { consumedEntities, entityKey, serviceRights as rightsFromCatalogue } from './service-rights';

const workspaceRoot = path.resolve(__dirname, '../../..');
const CLI = 'infra/azure/scripts/plan-offline.ts';
/** Each run of the command loads the program and the Azure provider's SDK afresh: seconds, more on a busy machine. */
const COMMAND_TIMEOUT_MS = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The offline plan's command line, as `npm run plan:azure` runs it. */
function planCommand(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--require', '@swc-node/register', CLI, ...args], { cwd: workspaceRoot }, (error, stdout, stderr) => {
      const code = error ? error.code : 0;
      if (typeof code !== 'number') return reject(error ?? new Error('the offline plan gave no exit code'));
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the program under the mocks in this test's module registry, as the command does in its own process. */
function planInProcess(): Promise<OfflinePlan> {
  return planOffline(SAMPLE_CONFIG, () => {
    let program: Record<string, unknown> | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs when it is loaded, after the mocks are in place
      program = require('./index') as Record<string, unknown>;
    });
    if (!program) throw new Error('the program did not load');
    return program;
  });
}

const entities = catalogueEntities(shopCatalogue.topology());

describe('the offline plan of the Pulumi program', () => {
  let plan: OfflinePlan;
  beforeAll(async () => {
    plan = await planInProcess();
  }, COMMAND_TIMEOUT_MS);

  it('counts every resource the program declares, by type, and names its outputs', () => {
    const [total, ...rest] = planLines(plan, { config: SAMPLE_CONFIG });
    const counts = rest.filter((line) => /^\s+\d+ /.test(line)).map((line) => line.trim().split(' ') as [string, string]);
    expect(total).toBe(`${plan.resources.length} resources`);
    expect(counts.reduce((sum, [count]) => sum + Number(count), 0)).toBe(plan.resources.length);
    expect(counts.map(([, type]) => type)).toEqual([...new Set(plan.resources.map((resource) => resource.type))].sort());
    expect(counts).toContainEqual([String(entities.queues.length), 'azure-native:servicebus:Queue']);
    expect(rest).toContainEqual(expect.stringMatching(/^stack outputs: .*\bstorefrontUrl\b/));
  });

  it('lists the Service Bus entities of the catalogue, with their most deliveries and their rules', () => {
    const lines = serviceBusEntities(plan);
    for (const queue of entities.queues) expect(lines).toContain(`queue ${queue.name}: max deliveries ${queue.maxDeliveryCount}`);
    for (const topic of entities.topics) {
      expect(lines).toContain(`topic ${topic.name}`);
      for (const subscription of topic.subscriptions) {
        expect(lines).toContain(`  subscription ${topic.name}/${subscription.name}: max deliveries ${subscription.maxDeliveryCount}`);
        if (subscription.rules === 'all') continue;
        for (const rule of subscription.rules) {
          expect(lines).toContain(`    rule ${rule.name}: ${'subject' in rule ? `subject = ${rule.subject}` : `to = ${rule.to}`}`);
        }
      }
    }
    expect(lines.filter((line) => line.startsWith('queue '))).toHaveLength(entities.queues.length);
  });

  it("lists a service's Service Bus rights exactly as the catalogue derives them, each role by its name", () => {
    const [heading, ...rest] = serviceRights(plan, SAMPLE_CONFIG['prefix'] ?? '', 'inventory-service');
    expect(heading).toBe('identity stitch-inventory-service:');
    // The app's own identity only: another identity named for the service (its scaler's) comes under its own heading.
    const next = rest.findIndex((line) => line.startsWith('identity '));
    const lines = rest.slice(0, next < 0 ? undefined : next);
    const serviceBusLines = lines.filter((line) => line.includes('Service Bus'));
    const expected = rightsFromCatalogue(shopCatalogue, entities, 'inventory-service', { operator: 'storefront' }).grants.map(
      (grant) => `  Azure Service Bus Data ${grant.role === 'sender' ? 'Sender' : 'Receiver'}: ${entityKey(grant.entity)}`,
    );
    expect(serviceBusLines).toEqual(expected.sort((a, b) => a.localeCompare(b)));
    expect(lines).toContain('  AcrPull: registry stitchstitch');
  });

  it('knows the name of every role the program assigns', () => {
    expect(unnamedRoles(plan)).toEqual([]);
  });

  it('shows one KEDA rule per entity a consumer consumes, and the storefront alone exposed outside', () => {
    const lines = planLines(plan, { config: SAMPLE_CONFIG, scaling: true });
    for (const service of shopServices) {
      const heading = lines.findIndex((line) => line.startsWith(`${service.name}: `));
      const next = lines.findIndex((line, index) => index > heading && !line.startsWith('  '));
      const rules = lines.slice(heading + 1, next < 0 ? undefined : next);
      const consumed = consumedEntities(shopCatalogue, service.name);
      expect(lines[heading]).toMatch(service.publicHttp ? /, external ingress$/ : /, internal ingress$/);
      if (consumed.length === 0) expect(rules).toEqual(['  no scale rules']);
      else expect(rules.map((rule) => rule.replace(/^.*: azure-servicebus on (.*) \(.*$/, '$1'))).toEqual(consumed.map(entityKey));
    }
  });

  it('names resources by their Azure ids and roles by their definition ids', () => {
    const namespace = '/subscriptions/s/resourceGroups/g/providers/Microsoft.ServiceBus/namespaces/shop';
    expect(scopeName(`${namespace}/topics/events/subscriptions/order-service`)).toBe('subscription events/order-service');
    expect(scopeName(`${namespace}/queues/order-service`)).toBe('queue order-service');
    expect(scopeName(namespace)).toBe('namespace shop');
    expect(scopeName('/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/shopstitch')).toBe(
      'registry shopstitch',
    );
    expect(scopeName('/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv/secrets/session-secret')).toBe(
      'secret session-secret',
    );
    expect(scopeName('shop-vault-id')).toBe('shop-vault-id');
    expect(roleName('/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d')).toBe(
      'AcrPull',
    );
    expect(roleName('/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-00000000beef')).toBe(
      'role 00000000-0000-0000-0000-00000000beef',
    );
  });
});

describe('npm run plan:azure', () => {
  it(
    'prints the resource counts of the sample stack, offline',
    async () => {
      const run = await planCommand();
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^\d+ resources\n/);
      expect(run.stdout).toMatch(/^ +1 azure-native:servicebus:Namespace$/m);
    },
    COMMAND_TIMEOUT_MS,
  );

  it(
    'rewrites the checked blocks of a document with what it prints for their arguments',
    async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'stitch-plan-azure-'));
      try {
        const file = path.join(folder, 'chapter.md');
        const marker = '# Chapter\n\n<!-- checked: plan:azure --rights storefront -->\n\n';
        await writeFile(file, `${marker}\`\`\`\nidentity stale:\n\`\`\`\n`);
        const run = await planCommand('--update-checked', file);
        expect(run).toMatchObject({ code: 0, stderr: '', stdout: `${file}: 1 checked outputs rewritten from the program\n` });
        const printed = await planCommand('--rights', 'storefront');
        expect(await readFile(file, 'utf8')).toBe(`${marker}\`\`\`\n${printed.stdout}\`\`\`\n`);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
    3 * COMMAND_TIMEOUT_MS,
  );

  it(
    "fails in one line naming the identities when asked for a service that has none, and on an option it doesn't know",
    async () => {
      const unknownService = await planCommand('--rights', 'nobody');
      expect(unknownService.code).toBe(1);
      expect(unknownService.stderr).toMatch(/^plan:azure: no identity named stitch-nobody; the identities are .*stitch-storefront\n$/);
      const unknownOption = await planCommand('--everything');
      expect(unknownOption.code).toBe(1);
      expect(unknownOption.stderr).toMatch(/^plan:azure: Unknown option '--everything'.*--help lists the options\)\n$/);
    },
    2 * COMMAND_TIMEOUT_MS,
  );
});
