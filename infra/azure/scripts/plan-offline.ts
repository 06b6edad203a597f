// `npm run plan:azure -- [--rights <name>] [--entities] [--scaling] [--config key=value …]`: what the Pulumi program in
// infra/azure declares, read offline under Pulumi's mocks, with no Azure subscription and no Pulumi CLI. From the
// repository root: node --require @swc-node/register infra/azure/scripts/plan-offline.ts --entities
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { checkedBlocks, withCheckedBlocks } from '../src/checked-blocks';
import { PLAN_USAGE, planLines, planOffline, planRequest } from '../src/offline-plan';

/** This command's output for `args`, from a process of its own: a Pulumi program runs once per process. */
function printedBy(args: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const argv = [...process.execArgv, __filename, ...args.split(/\s+/).filter(Boolean)];
    execFile(process.execPath, argv, (error, stdout, stderr) => {
      if (error) return reject(new Error(`plan:azure ${args} failed: ${stderr.trim() || error.message}`));
      resolve(stdout.replace(/\n$/, '').split('\n'));
    });
  });
}

async function updateChecked(file: string): Promise<void> {
  const markdown = await readFile(file, 'utf8');
  const args = [...new Set(checkedBlocks(markdown).map((block) => block.args))];
  if (args.length === 0) throw new Error(`${file} has no "<!-- checked: plan:azure … -->" block`);
  const printed = new Map(await Promise.all(args.map(async (each) => [each, await printedBy(each)] as const)));
  const updated = withCheckedBlocks(markdown, printed);
  if (updated === markdown) {
    process.stdout.write(`${file}: ${args.length} checked outputs, all up to date\n`);
    return;
  }
  await writeFile(file, updated);
  process.stdout.write(`${file}: ${args.length} checked outputs rewritten from the program\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const request = planRequest(argv);
  if (request.help) {
    process.stdout.write(`${PLAN_USAGE}\n`);
    return 0;
  }
  if (request.updateChecked !== undefined) {
    await updateChecked(request.updateChecked);
    return 0;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs when it is loaded, after the mocks are in place
  const plan = await planOffline(request.config, () => require('../src/index') as Record<string, unknown>);
  process.stdout.write(`${planLines(plan, request).join('\n')}\n`);
  return 0;
}

// The program's own checks fail inside Pulumi outputs as well as at load: either way, one line naming what is wrong.
const fail = (error: unknown) => {
  const usage = String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS') ? ' (--help lists the options)' : '';
  process.stderr.write(`plan:azure: ${error instanceof Error ? error.message : String(error)}${usage}\n`);
  process.exit(1);
};
process.on('unhandledRejection', fail);
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);
