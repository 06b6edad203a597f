/**
 * Redis and RabbitMQ from the machine's own packages, each started for one benchmark run in a temporary folder,
 * on 127.0.0.1 and free ports, and stopped after it: at the end, on failure, and on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqplib from 'amqplib';
import Redis from 'ioredis';

export interface RunningServer {
  /** How a client reaches it: `redis://…` or `amqp://…`. */
  readonly url: string;
  readonly port: number;
  /** The durability settings the server is actually running with, in one line. */
  describeDurability(): Promise<string>;
  stop(): Promise<void>;
}

/** A server binary that is not installed: the benchmark skips that peer and says how to install it. */
export class MissingServer extends Error {
  constructor(
    readonly binary: string,
    readonly aptPackage: string,
  ) {
    super(`${binary} is not installed: skipped (apt-get install -y ${aptPackage})`);
  }
}

/** Debian's `rabbitmq-server` on PATH is a wrapper that switches to the rabbitmq user; this runs the server as we are. */
const DEBIAN_RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
/** Debian's configuration, used as it is apart from where the server listens and keeps its files. */
const DEBIAN_REDIS_CONF = '/etc/redis/redis.conf';

function onPath(binary: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Servers that are running, with what stops them at once when this process goes. */
const running = new Map<ChildProcess, () => void>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // Each server is the leader of its own process group, which holds everything it started.
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

let exitHooked = false;
function stopAllOnExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const kill of running.values()) kill();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the benchmark's servers`);
      process.exit(130);
    });
  }
}

function launch(binary: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; log: string }) {
  stopAllOnExit();
  const child = spawn(binary, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => undefined);
  running.set(child, () => killGroup(child, 'SIGKILL'));
  const stop = async (afterwards?: () => void) => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) killGroup(child, 'SIGKILL');
    }
    running.delete(child);
    afterwards?.();
  };
  return { child, exited, stop, log: options.log };
}

/** Waits until `ready` succeeds, failing early with the server's log when it exits first. */
async function waitUntil(what: string, exited: Promise<number | null>, log: string, ready: () => Promise<boolean>, timeoutMs = 120_000) {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${what} exited with ${exitCode} before it was ready; see ${log}`);
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1_000} s; see ${log}`);
}

export async function startRedis(folder: string): Promise<RunningServer> {
  const binary = onPath('redis-server');
  if (!binary) throw new MissingServer('redis-server', 'redis-server');
  mkdirSync(folder, { recursive: true });
  const port = await freePort();
  const log = path.join(folder, 'redis.log');
  const config = existsSync(DEBIAN_REDIS_CONF) ? [DEBIAN_REDIS_CONF] : [];
  const server = launch(
    binary,
    [
      ...config,
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', folder, '--logfile', log, '--pidfile', path.join(folder, 'redis.pid')],
      ...['--daemonize', 'no', '--supervised', 'no'],
    ],
    { cwd: folder, log },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitUntil('redis-server', server.exited, log, async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused connections are expected until it listens; connect() rejects with them too.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  });
  return {
    url,
    port,
    async describeDurability() {
      const client = new Redis(url);
      try {
        const get = async (key: string) => ((await client.config('GET', key)) as string[])[1] ?? '?';
        const [version, appendonly, appendfsync, save] = [
          /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? '?',
          await get('appendonly'),
          await get('appendfsync'),
          await get('save'),
        ];
        const source = config.length > 0 ? `Debian's ${DEBIAN_REDIS_CONF}` : 'built-in defaults';
        const aof =
          appendonly === 'yes'
            ? `append-only file fsynced ${appendfsync}`
            : `no append-only file (appendonly no; appendfsync ${appendfsync} would apply only with it)`;
        return `Redis ${version} (${source}): ${aof}; RDB snapshots "${save || 'none'}" (seconds changes): a crash loses what was written since the last snapshot.`;
      } finally {
        client.disconnect();
      }
    },
    stop: () => server.stop(),
  };
}

export async function startRabbitMq(folder: string): Promise<RunningServer> {
  const onPathServer = onPath('rabbitmq-server');
  if (!onPathServer) throw new MissingServer('rabbitmq-server', 'rabbitmq-server');
  const binary = existsSync(DEBIAN_RABBITMQ_SERVER) ? DEBIAN_RABBITMQ_SERVER : onPathServer;
  mkdirSync(folder, { recursive: true });
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const log = path.join(folder, 'log');
  writeFileSync(path.join(folder, 'enabled_plugins'), '[].\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The Erlang cookie goes to HOME: a temporary one keeps the machine's own nodes and cookie out of it.
    HOME: folder,
    RABBITMQ_NODENAME: `stitch-bench-${process.pid}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: path.join(folder, 'mnesia'),
    RABBITMQ_LOG_BASE: log,
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(folder, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: path.join(folder, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: path.join(folder, 'rabbitmq'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const server = launch(binary, [], { cwd: folder, env, log });
  // The Erlang port mapper the node started daemonises itself, outside the server's process group.
  const stopEpmd = () => void spawnSync('epmd', ['-kill'], { env, stdio: 'ignore' });
  running.set(server.child, () => {
    killGroup(server.child, 'SIGKILL');
    stopEpmd();
  });
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  let version = '?';
  await waitUntil('rabbitmq-server', server.exited, log, async () => {
    const connection = await amqplib.connect(url);
    version = String(connection.connection.serverProperties['version'] ?? '?');
    await connection.close();
    return true;
  });
  return {
    url,
    port,
    async describeDurability() {
      return (
        `RabbitMQ ${version} with @nestjs/microservices' defaults: the queue is asserted durable (amqplib's default for ` +
        `queueOptions {}), messages are sent transient (persistent: false) and consumers use noAck: true unless told ` +
        `otherwise; this bench sets noAck: false and acknowledges after the handler. A transient message lives in ` +
        `memory and is lost if the broker restarts; publishes are confirmed (amqp-connection-manager's confirm channel).`
      );
    },
    stop: () => server.stop(stopEpmd),
  };
}
