// Lab 05: the same shop on the AWS transport. Its commands run as written against an AWS API emulator (moto, which
// E2E_AWS_ENDPOINT_URL names; the lab's own address for it is replaced), under a name prefix of this run's own so the
// emulator can be shared; then the checkpoint: the topology complete, the order confirmed, no embedded bus.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunningShop } from '@stitch/launcher';
import { deleteShopTopology, eventually, shopDeadLetters } from '@stitch/shop-testing';
import { Lab } from './support/lab';
import { exportedSettings, launchAsWritten } from './support/npm-start';
import { withoutNpmBanner } from './support/npm-output';
import { runBlock } from './support/run-block';

const lab = new Lab('05-the-same-shop-on-aws');
const repositoryRoot = path.resolve(__dirname, '../../..');
/** Where the lab has a participant start moto. */
const LAB_MOTO = 'http://127.0.0.1:5000';
const LAB_STOREFRONT = 'http://127.0.0.1:3000';
const SETTLE_TIMEOUT_MS = 90_000;

const awsEndpoint = process.env.E2E_AWS_ENDPOINT_URL;
const title = awsEndpoint
  ? 'runs on SQS and EventBridge at E2E_AWS_ENDPOINT_URL with only the settings changed, as its checkpoint says'
  : 'runs on SQS and EventBridge (E2E_AWS_ENDPOINT_URL, an AWS API emulator such as moto_server, is not set)';

describe('lab 05 — the same shop on AWS', () => {
  let tmp: string;
  let shop: RunningShop | undefined;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-lab05-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
  });

  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
    await rm(tmp, { recursive: true, force: true });
  }, 60_000);

  (awsEndpoint ? it : it.skip)(
    title,
    async () => {
      const endpoint = awsEndpoint as string;
      const dataDir = path.join(tmp, 'data');
      await mkdir(dataDir);
      const prefix = `lab05-${randomBytes(3).toString('hex')}`;
      const replace = (storefrontUrl = LAB_STOREFRONT): Array<[string, string]> => [
        [LAB_MOTO, endpoint],
        [LAB_STOREFRONT, storefrontUrl],
        ['.data', dataDir],
      ];
      const asRun = (text: string, storefrontUrl?: string) =>
        replace(storefrontUrl).reduce((out, [from, to]) => out.split(from).join(to), text);
      // What differs from a participant's run: this run's names carry its prefix, which the lab's output has not.
      const unprefixed = (text: string) => text.split(`, prefix ${prefix}`).join('').split(`${prefix}-`).join('');
      const normalize = (text: string) => unprefixed(withoutNpmBanner(text)).trim();
      // Every step runs in the terminal of step 2, with its exports.
      const settings = lab.command('aws-settings');
      const step = async (name: string, storefrontUrl?: string) =>
        normalize(
          (
            await runBlock(`${settings}\n${lab.command(name)}`, {
              cwd: repositoryRoot,
              replace: replace(storefrontUrl),
              env: { STITCH_PREFIX: prefix },
            })
          ).stdout,
        );
      const expected = (name: string) => normalize(asRun(lab.expected(name)));
      const aws = { endpoint, region: exportedSettings(settings)['AWS_REGION'] ?? 'us-east-1' };
      let applied = false;

      try {
        expect(await step('plan')).toBe(expected('plan'));
        expect(await step('azure-topology')).toBe(expected('azure-topology'));
        applied = true;
        expect((await step('apply')).split('\n').pop()).toBe(expected('apply'));
        expect(await step('check')).toBe(expected('check'));
        const queues = (await step('moto-queues')).split('\n');
        expect(
          expected('moto-queues')
            .split('\n')
            .filter((queue) => !queues.includes(queue)),
        ).toEqual([]);

        shop = await launchAsWritten(asRun(lab.command('start')), {
          dataDir,
          settings: exportedSettings(asRun(settings)),
          overrides: { STITCH_PREFIX: prefix },
        });
        const storefrontUrl = shop.storefrontUrl as string;
        await step('sign-up', storefrontUrl);
        expect(JSON.parse(await step('place-order', storefrontUrl))).toMatchObject({ status: 'pending' });
        const status = await eventually(
          'the order to be confirmed or cancelled',
          () => step('order-status', storefrontUrl),
          (answer) => answer !== 'pending',
          SETTLE_TIMEOUT_MS,
        );
        expect(status).toBe(expected('order-status'));

        // No `bus`: nothing went through the embedded transport.
        const dataFolder = (await step('data-folder')).split(/\s+/).sort();
        expect(dataFolder).toEqual(expected('data-folder').split(/\s+/).sort());
        expect(dataFolder).not.toContain('bus');
        expect((await shopDeadLetters(aws, prefix)).map((dead) => `${dead.message.type}: ${dead.reason}`)).toEqual([]);
      } finally {
        await shop?.stop();
        shop = undefined;
        if (applied) await deleteShopTopology(aws, prefix);
      }
    },
    600_000,
  );
});
