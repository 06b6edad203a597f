/**
 * `topology:aws`: the AWS topology of a catalogue, which a shop's entry point passes in: prints what it would create
 * (default), creates or updates it (`--apply`), checks it (`--check`) or deletes it (`--delete`).
 *
 *   npm run topology:aws                 # the plan
 *   npm run topology:aws -- --apply      # create or update, idempotently
 *   npm run topology:aws -- --json > infra/aws/topology.json   # the inputs for infrastructure code
 *   STITCH_PREFIX=dev1 npm run topology:aws -- --apply --prefix ci-42
 *
 * `--apply` tags every queue `stitch:shop` = the shop id (`--shop` or STITCH_SHOP_ID, which the services run with)
 * and refuses, changing nothing, a topology already tagged for another shop.
 */
import { parseArgs } from 'node:util';
import type { Catalogue } from '@stitch/messaging-catalogue';
import { checkShopId, messagingConfig } from '@stitch/messaging-core';
import { awsConfig } from './aws.config';
import { createAwsClients, destroyAwsClients } from './clients';
import { awsEntities, topologyDocument } from './entities';
import { applyTopology, checkTopology, deleteTopology, describePlan } from './provision';

const usage =
  'usage: npm run topology:aws -- [--apply | --check | --delete | --json] [--prefix NAME] [--shop ID]  (--apply: the shop id from --shop or STITCH_SHOP_ID)';

async function main(catalogue: Catalogue, args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      apply: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      delete: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      prefix: { type: 'string' },
      shop: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(usage);
  if ([values.apply, values.check, values.delete, values.json].filter(Boolean).length > 1)
    throw new Error(`choose one of --apply, --check, --delete, --json; ${usage}`);

  const config = awsConfig();
  // Provisioning marks the topology with the shop it is for; the services of another shop then refuse it.
  const shopId = values.apply ? (values.shop ? checkShopId(values.shop, '--shop') : messagingConfig().shopId) : undefined;
  if (values.apply && !shopId) {
    throw new Error(
      `give the id of the shop this topology is for, which its services run with: --shop ID or STITCH_SHOP_ID (npm start keeps it in <data folder>/shop-id); ${usage}`,
    );
  }
  const prefix = values.prefix ?? config.prefix;
  const entities = awsEntities(catalogue.topology(), prefix);
  if (values.json) return void console.log(JSON.stringify(topologyDocument(entities), null, 2));
  const where = `${config.endpoint ?? 'AWS'}${config.region ? ` (${config.region})` : ''}${prefix ? `, prefix ${prefix}` : ''}`;

  if (!values.apply && !values.check && !values.delete) {
    console.log(`Would create or update on ${where}:`);
    for (const line of describePlan(entities)) console.log(`  ${line}`);
    console.log('Run with --apply to do it.');
    return;
  }
  const clients = createAwsClients({
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.region ? { region: config.region } : {}),
  });
  try {
    if (values.apply) {
      await applyTopology(clients, entities, { shopId, log: (line) => console.log(line) });
      console.log(
        `topology applied on ${where} for shop ${shopId}: ${entities.queues.length} queues, ${entities.rules.length} rules, bus ${entities.bus}`,
      );
    } else if (values.delete) {
      await deleteTopology(clients, entities, (line) => console.log(line));
      console.log(`topology deleted on ${where}`);
    } else {
      const { missing } = await checkTopology(clients, entities);
      if (missing.length > 0) throw new Error(`missing on ${where}: ${missing.join(', ')}`);
      console.log(`topology complete on ${where}`);
    }
  } finally {
    destroyAwsClients(clients);
  }
}

/** Runs the command for the catalogue with this process's arguments; a failure is one line and exit code 1. */
export function runAwsTopologyTool(catalogue: Catalogue, args: readonly string[] = process.argv.slice(2)): Promise<void> {
  return main(catalogue, args).catch((error: unknown) => {
    console.error(`topology:aws: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
