import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import type { EmulatorConfig } from './emulator-config';
import { InMemoryNamespace } from '../../testing';
import { type NamespaceTarget, runTopologyCommand, topologyCommandUsage as usage } from './command';

const connectionString =
  'Endpoint=sb://stitch-test.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=c2VjcmV0LWtleQ==';

async function run(argv: string[], env: Record<string, string>, namespace = new InMemoryNamespace()) {
  const out: string[] = [];
  const err: string[] = [];
  const targets: NamespaceTarget[] = [];
  const code = await runTopologyCommand(
    shopCatalogue,
    argv,
    env,
    { line: (text) => out.push(text) },
    { line: (text) => err.push(text) },
    (target) => {
      targets.push(target);
      return namespace;
    },
    () => namespace.shopMarker,
  );
  return { code, out, err, targets, namespace };
}

describe('topology:azure', () => {
  it('prints the plan and changes nothing without --apply', async () => {
    const { code, out, err, namespace } = await run([], { SERVICEBUS_CONNECTION_STRING: connectionString });

    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out[0]).toMatch(/^Dry run: \d+ change\(s\) on stitch-test\.servicebus\.windows\.net$/);
    expect(out).toContain('  would create topic events (defaultMessageTimeToLive PT1H)');
    expect(out).toContain('  would create rule events/order-service/direct [to=order-service]');
    expect(out.at(-1)).toBe('Nothing changed. Run with --apply to make these changes.');
    expect(namespace.changes).toEqual([]);
  });

  it('applies with --apply, and a second run finds nothing to do', async () => {
    const first = await run(['--apply'], { SERVICEBUS_CONNECTION_STRING: connectionString, STITCH_SHOP_ID: 'shop-a' });
    expect(first.code).toBe(0);
    expect(first.out).toContain('  done: create topic events (defaultMessageTimeToLive PT1H)');

    const second = await run([], { SERVICEBUS_CONNECTION_STRING: connectionString }, first.namespace);
    expect(second.out).toEqual([
      'Dry run: the namespace matches the catalogue on stitch-test.servicebus.windows.net, marked for shop shop-a',
    ]);
  });

  it('marks the namespace for the shop, keeps the mark when that shop provisions again, and refuses another shop', async () => {
    const first = await run(['--apply', '--shop', 'shop-a'], { SERVICEBUS_CONNECTION_STRING: connectionString });
    expect(first.err).toEqual([]);
    expect(first.out).toContain('  done: mark the namespace for shop shop-a (a message in queue stitch-shop)');
    expect(first.namespace.markers).toEqual(['shop-a']);

    const again = await run(['--apply'], { SERVICEBUS_CONNECTION_STRING: connectionString, STITCH_SHOP_ID: 'shop-a' }, first.namespace);
    expect({ code: again.code, err: again.err }).toEqual({ code: 0, err: [] });
    expect(again.namespace.markers).toEqual(['shop-a']);

    const changes = first.namespace.changes.length;
    const other = await run(['--apply', '--shop', 'shop-b'], { SERVICEBUS_CONNECTION_STRING: connectionString }, first.namespace);
    expect({ code: other.code, out: other.out, err: other.err }).toEqual({
      code: 1,
      out: [],
      err: [
        'topology:azure: the namespace stitch-test.servicebus.windows.net belongs to shop shop-a, not to shop shop-b: nothing changed; provision this shop in its own namespace',
      ],
    });
    expect(first.namespace.changes).toHaveLength(changes);
  });

  it('will not apply without knowing the shop', async () => {
    const { code, err, namespace } = await run(['--apply'], { SERVICEBUS_CONNECTION_STRING: connectionString });
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^topology:azure: give the id of the shop this namespace is for/)]);
    expect(namespace.changes).toEqual([]);
  });

  it('reaches a namespace by name through DefaultAzureCredential', async () => {
    expect((await run([], { SERVICEBUS_NAMESPACE: 'stitch-test' })).targets).toEqual([
      { kind: 'namespace', host: 'stitch-test.servicebus.windows.net' },
    ]);
    expect((await run([], { SERVICEBUS_NAMESPACE: 'stitch-test.servicebus.usgovcloudapi.net' })).targets).toEqual([
      { kind: 'namespace', host: 'stitch-test.servicebus.usgovcloudapi.net' },
    ]);
  });

  it.each([
    [
      [],
      {},
      'topology:azure: set SERVICEBUS_CONNECTION_STRING (with Manage rights) or SERVICEBUS_NAMESPACE (signed in through DefaultAzureCredential)',
    ],
    [
      [],
      { SERVICEBUS_CONNECTION_STRING: 'SharedAccessKey=abc' },
      'topology:azure: SERVICEBUS_CONNECTION_STRING has no Endpoint=sb://<host>',
    ],
    [[], { SERVICEBUS_NAMESPACE: 'bad name!' }, 'topology:azure: SERVICEBUS_NAMESPACE "bad name!" is not a namespace name or host name'],
    [['--force'], {}, "topology:azure: Unknown option '--force' (see --help)"],
    [
      ['--apply', '--emulator-config', 'x.json'],
      {},
      'topology:azure: --emulator-config writes a file and touches no namespace: leave out --apply (see --help)',
    ],
  ])('fails with one line: %j %j', async (argv, env, line) => {
    const { code, out, err } = await run(argv, env);
    expect({ code, out, err }).toEqual({ code: 1, out: [], err: [line] });
  });

  it('sends the emulator to its Config.json', async () => {
    const { err } = await run([], {
      SERVICEBUS_CONNECTION_STRING:
        'Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
    });
    expect(err).toEqual([expect.stringContaining('run with --emulator-config infra/azure/emulator/Config.json')]);
  });

  it('names missing Manage rights and never prints the connection string or its key', async () => {
    const namespace = new InMemoryNamespace();
    namespace.listQueues = () => {
      throw Object.assign(new Error(`Unauthorized for ${connectionString} (SharedAccessKey=c2VjcmV0LWtleQ==)`), { statusCode: 401 });
    };
    const { code, err } = await run([], { SERVICEBUS_CONNECTION_STRING: connectionString }, namespace);

    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('provisioning needs Manage rights');
    expect(err[0]).not.toContain('c2VjcmV0LWtleQ==');
    expect(err[0]).not.toContain(connectionString);
  });

  it('writes the emulator Config.json with --emulator-config', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'topology-'));
    try {
      const file = path.join(dir, 'Config.json');
      const { code, out } = await run(['--emulator-config', file], {});
      expect(code).toBe(0);
      expect(out).toEqual([`Wrote ${file}: the emulator's entities for the catalogue (5 queues, 2 topics).`]);
      const written = JSON.parse(await readFile(file, 'utf8')) as EmulatorConfig;
      const namespace = written.UserConfig.Namespaces[0]!;
      expect(namespace.Name).toBe('sbemulatorns');
      const orderService = namespace.Topics.find((topic) => topic.Name === 'events')?.Subscriptions.find(
        (subscription) => subscription.Name === 'order-service',
      );
      expect(orderService?.Rules?.at(-1)).toEqual({
        Name: 'direct',
        Properties: { FilterType: 'Correlation', CorrelationFilter: { To: 'order-service' } },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints its usage with --help', async () => {
    expect((await run(['--help'], {})).out).toEqual([usage]);
  });
});
