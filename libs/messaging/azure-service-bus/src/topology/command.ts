import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Catalogue } from '@stitch/messaging-catalogue';
import { checkShopId } from '@stitch/messaging-core';
import { SHOP_MARKER_QUEUE, serviceBusEntities } from '../entities';
import type { ShopMarkerQueue } from '../transport/shop-marker';
import { checkEmulatorConfig, emulatorConfig, emulatorConfigJson } from './emulator-config';
import { applyPlan, type NamespaceAdmin, readNamespace } from './namespace';
import { describeAction, planTopology } from './plan';

export const topologyCommandUsage = `Usage: npm run topology:azure -- [--apply] [--shop <id>] [--emulator-config <file>]

  (no option)               print what would change in the namespace (dry run)
  --apply                   create or update queues, topics, subscriptions and rules; remove stale rules; mark the
                            namespace for the shop (a message in queue ${SHOP_MARKER_QUEUE}), refusing another shop's
  --shop <id>               the shop the namespace is for (default STITCH_SHOP_ID, which its services run with)
  --emulator-config <file>  write the Service Bus emulator's Config.json instead (no namespace needed)

  SERVICEBUS_CONNECTION_STRING  a connection string with Manage rights, or
  SERVICEBUS_NAMESPACE          <name> or <name>.servicebus.windows.net, signed in through DefaultAzureCredential
                                (az login, environment, managed identity) with the Azure Service Bus Data Owner role`;

export interface Output {
  line(text: string): void;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** How the command reaches a namespace (`connect.ts`); the unit tests pass one in memory. */
export type ConnectAdmin = (target: NamespaceTarget) => NamespaceAdmin;

/** How the command reads and writes the namespace's shop marker (a data-plane client; see `connect.ts`). */
export type ConnectMarker = (target: NamespaceTarget) => ShopMarkerQueue & { close(): Promise<void> };

export type NamespaceTarget =
  | { readonly kind: 'connection-string'; readonly connectionString: string; readonly host: string }
  | { readonly kind: 'namespace'; readonly host: string };

class CommandError extends Error {}

/**
 * Runs the command for a catalogue, whose topology it provisions; returns the exit code. Every failure is one line
 * on `err`, never with a secret in it.
 */
export async function runTopologyCommand(
  catalogue: Catalogue,
  argv: readonly string[],
  env: Env,
  out: Output,
  err: Output,
  connect: ConnectAdmin,
  connectMarker: ConnectMarker,
): Promise<number> {
  const secrets = [env['SERVICEBUS_CONNECTION_STRING']].filter((value): value is string => !!value);
  try {
    const args = parseCommandLine(argv);
    if (args.help) {
      out.line(topologyCommandUsage);
      return 0;
    }
    const entities = serviceBusEntities(catalogue.topology());
    if (args.emulatorConfig !== undefined) {
      const config = emulatorConfig(entities);
      checkEmulatorConfig(config);
      await writeFile(args.emulatorConfig, emulatorConfigJson(config));
      out.line(
        `Wrote ${args.emulatorConfig}: the emulator's entities for the catalogue (${entities.queues.length} queues, ${entities.topics.length} topics).`,
      );
      return 0;
    }

    const shopId = args.shop ?? (env['STITCH_SHOP_ID'] || undefined);
    if (shopId) checkShopId(shopId, args.shop ? '--shop' : 'STITCH_SHOP_ID');
    if (args.apply && !shopId) {
      throw new CommandError(
        'give the id of the shop this namespace is for, which its services run with: --shop <id> or STITCH_SHOP_ID (npm start keeps it in <data folder>/shop-id)',
      );
    }
    const target = namespaceTarget(env);
    const admin = connect(target);
    const existing = await readNamespace(admin);
    const plan = planTopology(entities, existing);
    // The marker is read before anything changes: another shop's namespace is left as it is.
    const marker = connectMarker(target);
    try {
      const owner = existing.queues.some((queue) => queue.name === SHOP_MARKER_QUEUE) ? await marker.read() : undefined;
      if (owner && shopId && owner !== shopId) {
        throw new CommandError(
          `the namespace ${target.host} belongs to shop ${owner}, not to shop ${shopId}: nothing changed; provision this shop in its own namespace`,
        );
      }
      const marking = owner ? [] : shopId ? [`mark the namespace for shop ${shopId} (a message in queue ${SHOP_MARKER_QUEUE})`] : [];
      const changes = plan.actions.length + marking.length;
      const mode = args.apply ? 'Applying' : 'Dry run';
      out.line(
        `${mode}: ${changes === 0 ? 'the namespace matches the catalogue' : `${changes} change(s)`} on ${target.host}${owner ? `, marked for shop ${owner}` : ''}`,
      );
      for (const entity of plan.unmanaged) out.line(`  left alone (not in the catalogue): ${entity}`);
      if (!args.apply) {
        plan.actions.forEach((action) => out.line(`  would ${describeAction(action)}`));
        marking.forEach((line) => out.line(`  would ${line}`));
        if (changes > 0) out.line('Nothing changed. Run with --apply to make these changes.');
        return 0;
      }
      await applyPlan(admin, plan.actions, (action) => out.line(`  done: ${describeAction(action)}`));
      if (!owner && shopId) {
        await marker.write(shopId);
        // Two shops provisioning at once: the first marker is the one every service reads.
        const first = await marker.read();
        if (first !== shopId)
          throw new CommandError(
            `the namespace ${target.host} was marked for shop ${first} meanwhile: provision this shop in its own namespace`,
          );
        marking.forEach((line) => out.line(`  done: ${line}`));
      }
      return 0;
    } finally {
      await marker.close();
    }
  } catch (error) {
    err.line(`topology:azure: ${redact(explain(error), secrets)}`);
    return 1;
  }
}

function parseCommandLine(argv: readonly string[]): { apply: boolean; help: boolean; emulatorConfig?: string; shop?: string } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        apply: { type: 'boolean' },
        shop: { type: 'string' },
        'emulator-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    const emulatorConfig = values['emulator-config'];
    if (emulatorConfig !== undefined && values.apply)
      throw new Error('--emulator-config writes a file and touches no namespace: leave out --apply');
    if (emulatorConfig !== undefined && emulatorConfig.trim() === '')
      throw new Error('--emulator-config: give a file, e.g. infra/azure/emulator/Config.json');
    return {
      apply: values.apply ?? false,
      help: values.help ?? false,
      emulatorConfig,
      ...(values.shop !== undefined ? { shop: values.shop } : {}),
    };
  } catch (error) {
    throw new CommandError(`${(error as Error).message} (see --help)`);
  }
}

export function namespaceTarget(env: Env): NamespaceTarget {
  const connectionString = env['SERVICEBUS_CONNECTION_STRING']?.trim();
  const namespace = env['SERVICEBUS_NAMESPACE']?.trim();
  if (connectionString) {
    const endpoint = /(?:^|;)\s*Endpoint\s*=\s*sb:\/\/([^/;:]+)/i.exec(connectionString)?.[1];
    if (!endpoint) throw new CommandError('SERVICEBUS_CONNECTION_STRING has no Endpoint=sb://<host>');
    if (/(?:^|;)\s*UseDevelopmentEmulator\s*=\s*true/i.test(connectionString)) {
      throw new CommandError(
        'SERVICEBUS_CONNECTION_STRING points at the emulator, which is provisioned from its Config.json at start: run with --emulator-config infra/azure/emulator/Config.json and restart it',
      );
    }
    return { kind: 'connection-string', connectionString, host: endpoint };
  }
  if (namespace) {
    if (!/^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9](\.[A-Za-z0-9-]+)*$/.test(namespace))
      throw new CommandError(`SERVICEBUS_NAMESPACE "${namespace}" is not a namespace name or host name`);
    return { kind: 'namespace', host: namespace.includes('.') ? namespace : `${namespace}.servicebus.windows.net` };
  }
  throw new CommandError(
    'set SERVICEBUS_CONNECTION_STRING (with Manage rights) or SERVICEBUS_NAMESPACE (signed in through DefaultAzureCredential)',
  );
}

/** The one line a user needs: what failed and, for the usual causes, what to do. */
function explain(error: unknown): string {
  if (error instanceof CommandError || (error as { name?: string })?.name === 'ConfigError') return (error as Error).message;
  const failure = error as { name?: string; message?: string; statusCode?: number; code?: string };
  const message = (failure.message ?? String(error)).split('\n')[0] ?? '';
  if (failure.statusCode === 401 || failure.statusCode === 403) {
    return `the namespace refused a management call (HTTP ${failure.statusCode}): provisioning needs Manage rights (a Manage connection string, or the Azure Service Bus Data Owner role); ${message}`;
  }
  if (failure.name === 'CredentialUnavailableError' || failure.name === 'AggregateAuthenticationError') {
    return `no Azure credential available (sign in with az login, or set SERVICEBUS_CONNECTION_STRING): ${message}`;
  }
  if (failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN') return `cannot resolve the namespace's host: ${message}`;
  return `${failure.name && failure.name !== 'Error' ? `${failure.name}: ` : ''}${message}`;
}

function redact(text: string, secrets: readonly string[]): string {
  const withoutSecrets = secrets.reduce((result, secret) => result.split(secret).join('<connection string>'), text);
  return withoutSecrets.replace(/(SharedAccessKey|SharedAccessSignature)\s*=\s*[^;\s]+/gi, '$1=<redacted>');
}
