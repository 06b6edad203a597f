// The storefront's HTTP API fuzzed from its own OpenAPI document (/docs-json) by Schemathesis, against the whole
// shop on the embedded transport and PostgreSQL, so every service the storefront asks answers for real: no answer
// is a 5xx, every answer matches the document, and a rejected request sends or publishes nothing (checked by
// storefront-api-fuzz.hooks.py on the shop's bus file).
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { launchShop, type RunningShop } from '@stitch/launcher';
import { StorefrontClient } from '@stitch/shop-testing';

const schemathesis = process.env.STITCH_SCHEMATHESIS;
if (!schemathesis)
  process.stderr.write('STITCH_SCHEMATHESIS (the path of Schemathesis’s `st`) is not set: skipping the storefront API fuzz test\n');

const HOOKS = path.join(__dirname, 'storefront-api-fuzz.hooks.py');
const CONFIG = path.join(__dirname, 'storefront-api-fuzz.toml');
// Schemathesis's own checks that hold for this API. Left out: negative_data_rejection and positive_data_acceptance,
// since the card's Luhn check and zod's e-mail rule cannot be said in JSON Schema, so schema-valid and
// schema-invalid differ from what the storefront accepts at the edges; the auth and resource checks have nothing
// to check here (one customer's session on every request, no DELETE).
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'response_headers_conformance',
  'no_message_for_a_rejected_request',
];
const MAX_EXAMPLES = 50;
const SEED = 20_261_122;
const RUN_TIMEOUT_MS = 300_000;

interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Schemathesis's report without the progress lines before it: from the failures or errors on. */
function findings(output: string): string {
  const start = output.search(/^=+ (FAILURES|ERRORS) =+$/m);
  return start >= 0 ? output.slice(start) : output;
}

(schemathesis ? describe : describe.skip)('the storefront API under Schemathesis', () => {
  let tmp: string;
  let shop: RunningShop | undefined;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-fuzz-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
    // Schemathesis sends thousands of requests from one client: its own limit, set explicitly.
    shop = await launchShop({
      dataDir: path.join(tmp, 'data'),
      ports: 'free',
      env: { RATE_LIMIT_POSTS_PER_MINUTE: '1000000' },
      readyTimeoutMs: 180_000,
    });
  });

  afterAll(async () => {
    await shop?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('finds no 5xx, no answer off the document, and no message sent for a rejected request', async () => {
    const busFile = path.join(shop!.dataDir, 'bus', 'bus.db');
    // One customer, signed up before the run: every fuzzed request carries their session, as their browser would.
    const storefront = new StorefrontClient(shop!.storefrontUrl ?? '');
    const customer = await storefront.signUp(`fuzz-${Date.now()}@example.com`, 'Fuzz Customer');
    const args = [
      '--no-color',
      '--config-file',
      CONFIG,
      'run',
      `${shop!.storefrontUrl}/docs-json`,
      '--checks',
      CHECKS.join(','),
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      // One request at a time, as a fixed seed needs to replay the same run.
      '--workers',
      '1',
      // No examples remembered from an earlier run: each run is the seed's alone.
      '--generation-database',
      'none',
    ];
    // The operator endpoints are fuzzed as the operator; the token stays out of the failure message below.
    const operator = ['--header', `Authorization: Bearer ${shop!.operatorToken}`];
    const started = Date.now();
    const result = await run(schemathesis!, [...args, ...operator], {
      cwd: tmp,
      env: {
        ...process.env,
        SCHEMATHESIS_HOOKS: HOOKS,
        STITCH_FUZZ_BUS_DB: busFile,
        STITCH_FUZZ_SESSION_COOKIE: storefront.sessionCookie(customer),
        NO_COLOR: '1',
      },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (result.code !== 0)
      throw new Error(`schemathesis ${args.join(' ')} exited ${result.code} after ${seconds} s:\n${findings(result.output)}`);
    // Every operation of the document was reached, not skipped.
    const [, selected, total] = /Selected: (\d+)\/(\d+)/.exec(result.output) ?? [];
    const [, tested] = /Tested: (\d+)/.exec(result.output) ?? [];
    expect({ selected, tested }).toEqual({ selected: total, tested: total });
    expect(Number(total)).toBeGreaterThanOrEqual(7);

    // The journal the hooks keep saw the messages of the requests the storefront accepted, so "nothing sent for a
    // rejected request" was checked by something that does see messages.
    const bus = new DatabaseSync(busFile, { readOnly: true });
    try {
      const journaled = bus.prepare("SELECT count(*) AS count FROM fuzz_sent WHERE correlation_id LIKE 'fuzz-%'").get() as {
        count: number;
      };
      expect(journaled.count).toBeGreaterThan(0);
    } finally {
      bus.close();
    }
  }, 600_000);
});
