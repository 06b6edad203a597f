import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { serviceNames } from '@stitch/manifest';
import { until } from '@stitch/waiting-testing';
import { Client } from 'pg';
import { launchShop, repoRoot, type RunningShop } from './launch';
import { isPortFree } from './ports';
import type { LaunchedProcess, RunRecord } from './run-record';
import type { ServiceDefinition } from './services';
import { isGone } from '../test/support/process-state';

const fixture = (name: string) => path.join(__dirname, '../test/fixtures', `${name}.ts`);

const storefront: ServiceDefinition = {
  name: 'storefront',
  script: fixture('app'),
  defaultPort: 3000,
  urlsOf: { ORDER_URL: 'order-service' },
};
const order: ServiceDefinition = { name: 'order-service', script: fixture('app'), defaultPort: 3001 };
const stubborn: ServiceDefinition = { name: 'stubborn', script: fixture('stubborn-app'), defaultPort: 3009 };

interface FixtureView {
  pid: number;
  grandchildPid?: number;
  env: Record<string, string | undefined>;
}

async function view(url: string): Promise<FixtureView> {
  return (await (await fetch(`${url}/env`)).json()) as FixtureView;
}

/** Pids from the launcher's "<instance> starting (pid N, ..." lines: known even when the launch fails. */
function startedPids(lines: readonly string[]): number[] {
  return lines.flatMap((line) => /starting \(pid (\d+)/.exec(line)?.[1] ?? []).map(Number);
}

/**
 * The first of `count` consecutive free ports, from `from` on (or a random place below Linux's ephemeral range, from
 * 32768, where any connection made meanwhile could take one between this check and the launch).
 */
async function freeBase(count: number, from = 10_000 + Math.floor(Math.random() * 10_000)): Promise<number> {
  for (let base = from; ; base += count) {
    const ports = Array.from({ length: count }, (_, offset) => base + offset);
    if ((await Promise.all(ports.map((port) => isPortFree(port)))).every(Boolean)) return base;
  }
}

describe('launchShop', () => {
  let dataDir: string;
  let lines: string[];
  let shop: RunningShop | undefined;

  beforeEach(async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-launcher-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
    dataDir = path.join(tmp, 'data');
    lines = [];
    shop = undefined;
  });

  afterEach(async () => {
    await shop?.stop();
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('starts PostgreSQL and every replica, records them, and stops them all, grandchildren and the stubborn included', async () => {
    shop = await launchShop({
      dataDir,
      ports: 'free',
      scale: { 'order-service': 2 },
      services: [storefront, order, stubborn],
      env: { FIXTURE_GREETING: 'hello' },
      stopGraceMs: 1_000,
      report: (line) => lines.push(line),
    });

    expect(shop.processes.map((child) => child.instance)).toEqual(['storefront-1', 'order-service-1', 'order-service-2', 'stubborn-1']);
    expect(new Set(shop.processes.map((child) => child.port)).size).toBe(4);
    expect(shop.storefrontUrl).toBe(shop.processes[0]?.url);

    const record = JSON.parse(await readFile(path.join(dataDir, 'run/processes.json'), 'utf8')) as RunRecord;
    expect(record.launcherPid).toBe(process.pid);
    expect(record.processes).toEqual(shop.processes);
    expect(record.storefrontUrl).toBe(shop.storefrontUrl);
    expect(record.databaseUrl).not.toContain(':postgres@');
    expect(record.postgres?.dataDir).toBe(path.join(dataDir, 'postgres'));

    // Each process got its own settings, and the storefront the first order replica's URL.
    const seen = await Promise.all(shop.processes.map((child) => view(child.url)));
    const orderUrl = shop.processes[1]?.url;
    shop.processes.forEach((child, index) => {
      expect(seen[index]?.pid).toBe(child.pid);
      expect(seen[index]?.env).toEqual({
        INSTANCE_ID: child.instance,
        PORT: String(child.port),
        HOST: '127.0.0.1',
        STITCH_DATA_DIR: dataDir,
        DATABASE_URL: shop?.databaseUrl,
        ORDER_URL: child.service === 'storefront' ? orderUrl : undefined,
        FIXTURE_GREETING: 'hello',
        STITCH_RESTARTS: '0',
        // Only the storefront gets the operator token.
        OPERATOR_TOKEN: child.service === 'storefront' ? shop?.operatorToken : undefined,
        // With no endpoint given, every process exports to the storefront's OTLP receiver.
        OTEL_EXPORTER_OTLP_ENDPOINT: `${shop?.storefrontUrl}/otlp`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      });
    });
    // The token is made for the data folder, kept there for its owner only, and its place (never itself) is said.
    expect(shop.operatorTokenFile).toBe(path.join(dataDir, 'operator-token'));
    expect((await readFile(shop.operatorTokenFile as string, 'utf8')).trim()).toBe(shop.operatorToken);
    if (process.platform !== 'win32') expect((await stat(shop.operatorTokenFile as string)).mode & 0o777).toBe(0o600);
    expect(lines).toContain(`operator token (the page's Dead letters panel): in ${path.join(dataDir, 'operator-token')}`);
    expect(lines.join('\n')).not.toContain(shop.operatorToken);
    expect(lines.join('\n')).not.toContain(new URL(shop.databaseUrl).password);

    // DATABASE_URL names a server that answers.
    const client = new Client({ connectionString: shop.databaseUrl });
    await client.connect();
    expect((await client.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await client.end();

    for (const child of shop.processes) {
      expect(await readFile(child.logFile, 'utf8')).toContain(`listening on ${child.port}`);
    }
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^order-service-2 starting \(pid \d+, port \d+, log .*order-service-2\.log\)$/)]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^order-service-2 ready at http:\/\/127\.0\.0\.1:\d+ \(\d+\.\d s\)$/)]),
    );

    const pids = [...seen.map((entry) => entry.pid), seen[3]?.grandchildPid ?? -1];
    const postgresPort = Number(new URL(shop.databaseUrl).port);
    await shop.stop();

    expect(pids.filter((pid) => !isGone(pid))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'run/processes.json'))).toBe(false);
    expect(await isPortFree(postgresPort)).toBe(true);
    expect(lines).toEqual(
      expect.arrayContaining(['stubborn-1 stopped (killed: it did not stop in time)', 'order-service-1 stopped', 'PostgreSQL stopped']),
    );
    // The storefront, whose OTLP receiver takes the others' last export, stops after all of them.
    const stopped = lines.filter((line) => / stopped/.test(line)).map((line) => line.split(' ')[0]);
    expect(stopped.slice(-2)).toEqual(['storefront-1', 'PostgreSQL']);
    expect(await readFile(shop.processes[0]?.logFile ?? '', 'utf8')).toContain('stopping on SIGTERM');
  });

  it('fails naming a service that dies while starting, with the tail of its log, and leaves nothing running', async () => {
    const crashing: ServiceDefinition = { name: 'crashing', script: fixture('crashing-app'), defaultPort: 3008 };
    const launching = launchShop({
      dataDir,
      ports: 'free',
      databaseUrl: 'postgresql://nobody@127.0.0.1:9/none',
      services: [order, crashing],
      report: (line) => lines.push(line),
    });

    await expect(launching).rejects.toThrow(/^crashing-1 exited with code 3 before it was ready; last lines of .*crashing-1\.log:\n/);
    const message = await launching.catch((error: Error) => error.message);
    expect(message).toContain('  | connecting to the database\n  | Error: the database refused the connection');
    expect(lines).toContain('crashing-1 exited with code 3');
    expect(startedPids(lines)).toHaveLength(2);
    expect(startedPids(lines).filter((pid) => !isGone(pid))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'run/processes.json'))).toBe(false);
  });

  it('fails naming a service that never answers /health in time', async () => {
    const neverReady: ServiceDefinition = { name: 'sleepy', script: fixture('never-ready-app'), defaultPort: 3007 };
    const launching = launchShop({
      dataDir,
      ports: 'free',
      databaseUrl: 'postgresql://nobody@127.0.0.1:9/none',
      services: [neverReady],
      readyTimeoutMs: 3_000,
      report: (line) => lines.push(line),
    });

    await expect(launching).rejects.toThrow(
      /^sleepy-1 did not answer GET http:\/\/127\.0\.0\.1:\d+\/health with 200 within 3 s; last lines of .*sleepy-1\.log:\n {2}\| .*listening on/,
    );
    expect(startedPids(lines).filter((pid) => !isGone(pid))).toEqual([]);
  });

  it('reports a process that exits while the shop runs', async () => {
    shop = await launchShop({
      dataDir,
      ports: 'free',
      databaseUrl: 'postgresql://nobody@127.0.0.1:9/none',
      services: [order],
      report: (line) => lines.push(line),
    });
    const exit = shop.unexpectedExit;
    await fetch(`${shop.processes[0]?.url}/exit`);

    await expect(exit).resolves.toMatchObject({ process: { instance: 'order-service-1' }, status: { code: 4 } });
    expect(lines).toContain('order-service-1 exited with code 4');
  });

  it('runs two shops side by side, each on its own ports from a base port, with its own data folder and database', async () => {
    const base = await freeBase(2);
    const other = await freeBase(2, base + 2);
    const first = await launchShop({ dataDir, basePort: base, services: [storefront, order] });
    let second: RunningShop | undefined;
    try {
      second = await launchShop({ dataDir: `${dataDir}-${other}`, basePort: other, services: [storefront, order] });
      expect(first.processes.map((child) => child.port)).toEqual([base, base + 1]);
      expect(second.processes.map((child) => child.port)).toEqual([other, other + 1]);
      expect(second.databaseUrl).not.toBe(first.databaseUrl);
      expect((await view(second.storefrontUrl as string)).env['ORDER_URL']).toBe(`http://127.0.0.1:${other + 1}`);
    } finally {
      await second?.stop();
      await first.stop();
      await rm(`${dataDir}-${other}`, { recursive: true, force: true });
    }
  });

  it('wipes the data folder with fresh, and passes warnings on to the console callback', async () => {
    const warnings: string[] = [];
    const options = {
      dataDir,
      ports: 'free' as const,
      databaseUrl: 'postgresql://nobody@127.0.0.1:9/none',
      services: [order],
      onServiceLine: (instance: string, line: { level: string; text: string }) => {
        if (line.level === 'warn') warnings.push(`${instance} ${line.text}`);
      },
    };
    shop = await launchShop(options);
    await shop.stop();
    const logFile = path.join(dataDir, 'run/logs/order-service-1.log');
    expect(existsSync(logFile)).toBe(true);
    expect(warnings).toEqual(['order-service-1 a warning worth showing']);

    shop = await launchShop({ ...options, fresh: true });
    await shop.stop();
    expect((await readFile(logFile, 'utf8')).match(/listening on/g)).toHaveLength(1);
  });
});

const quickRestarts = { initialDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 60_000 };

describe('a supervising launcher', () => {
  let dataDir: string;
  let lines: string[];
  let shop: RunningShop | undefined;

  beforeEach(async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-supervise-'));
    await chmod(tmp, 0o755);
    dataDir = path.join(tmp, 'data');
    lines = [];
    shop = undefined;
  });

  afterEach(async () => {
    await shop?.stop();
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  const record = async () => JSON.parse(await readFile(path.join(dataDir, 'run/processes.json'), 'utf8')) as RunRecord;

  it('restarts a replica that exits, on its own port, while the others keep running', async () => {
    shop = await launchShop({
      dataDir,
      ports: 'free',
      services: [storefront, order],
      restart: quickRestarts,
      report: (line) => lines.push(line),
    });
    const [front, before] = shop.processes as [LaunchedProcess, LaunchedProcess];
    await fetch(`${before.url}/exit`);

    await until('the restarted replica ready again', () => lines.includes(`order-service-1 ready again at ${before.url}`), {
      timeoutMs: 60_000,
    });
    const after = shop.processes[1] as LaunchedProcess;
    expect(after.pid).not.toBe(before.pid);
    expect(lines).toContain('order-service-1 exited with code 4; restarting it in 0.1 s');
    expect((await view(before.url)).pid).toBe(after.pid);
    expect((await view(before.url)).env.STITCH_RESTARTS).toBe('1');
    expect((await view(front.url)).pid).toBe(front.pid);
    expect((await view(front.url)).env.STITCH_RESTARTS).toBe('0');
    expect((await record()).processes.map((child) => [child.pid, child.restarts])).toEqual([
      [front.pid, 0],
      [after.pid, 1],
    ]);
  });

  it('restarts the embedded PostgreSQL when it is killed, on its port and data', async () => {
    shop = await launchShop({ dataDir, ports: 'free', services: [order], restart: quickRestarts, report: (line) => lines.push(line) });
    const postmaster = (await record()).postgres?.pid as number;
    const client = new Client({ connectionString: shop.databaseUrl });
    await client.connect();
    await client.query('create table kept (n int)');
    await client.query('insert into kept values (1)');
    await client.end();

    process.kill(postmaster, 'SIGKILL');
    await until('PostgreSQL restarted', async () => ((await record()).postgres?.pid ?? postmaster) !== postmaster, { timeoutMs: 60_000 });

    expect(lines).toContain('PostgreSQL was killed by SIGKILL; restarting it');
    const again = new Client({ connectionString: shop.databaseUrl });
    await again.connect();
    expect((await again.query<{ n: number }>('select n from kept')).rows).toEqual([{ n: 1 }]);
    await again.end();
  });

  it('leaves no replica, grandchild or PostgreSQL behind when the launcher is killed with SIGKILL', async () => {
    const launcher = spawn(
      process.execPath,
      ['--require', '@swc-node/register', path.join(__dirname, '../test/fixtures/launch-and-wait.ts'), dataDir],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      launcher.stdout.on('data', (chunk: Buffer) => String(chunk).includes('ready') && resolve());
      launcher.once('exit', (code) => reject(new Error(`the launcher exited with ${code} before it was ready`)));
    });
    const started = await record();
    const stubborn = await view(started.processes[1]?.url as string);
    const pids = [...started.processes.map((child) => child.pid), stubborn.grandchildPid as number, started.postgres?.pid as number];
    expect(pids.every((pid) => pid > 0 && !isGone(pid))).toBe(true);

    launcher.kill('SIGKILL');

    await until(`${pids.join(', ')} to end`, () => pids.every(isGone), {
      timeoutMs: 60_000,
      state: () => `still running: ${pids.filter((pid) => !isGone(pid)).join(', ')}`,
    });
  });
});

describe('after a launcher that was killed outright', () => {
  it('a new launch stops the replicas and PostgreSQL it left, and starts', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-leftovers-'));
    await chmod(tmp, 0o755);
    const dataDir = path.join(tmp, 'data');
    const lines: string[] = [];
    const first = await launchShop({ dataDir, ports: 'free', services: [order] });
    const left = JSON.parse(await readFile(first.runFile, 'utf8')) as RunRecord;
    // As if its launcher and its reaper had died at once: the record stays, and so do the processes.
    await writeFile(first.runFile, JSON.stringify({ ...left, launcherPid: 2 ** 22 + 7 }));
    const pids = [left.processes[0]?.pid as number, left.postgres?.pid as number];

    const second = await launchShop({ dataDir, ports: 'free', services: [order], report: (line) => lines.push(line) });
    try {
      expect(pids.filter((pid) => !isGone(pid))).toEqual([]);
      expect(lines[0]).toBe(
        `an earlier launcher left order-service-1 (pid ${pids[0]}), PostgreSQL (pid ${pids[1]}) running; stopping them`,
      );
      expect((await view(second.processes[0]?.url as string)).pid).toBe(second.processes[0]?.pid);
    } finally {
      await second.stop();
      await first.stop();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('the launcher command', () => {
  it.each([
    [['--scale', 'mail=2'], `--scale mail=2: unknown service "mail" (services: ${serviceNames.join(', ')})`],
    [['--scale', 'email-service=0'], '--scale email-service=0: N must be a whole number from 1 to 10'],
  ])('refuses %j with one line and exit code 1', (argv, message) => {
    const result = spawnSync(process.execPath, ['--require', '@swc-node/register', 'tools/launcher/src/main.ts', ...argv], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([message]);
  });
});
