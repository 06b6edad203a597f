import { parseArgs } from 'node:util';

export interface LauncherArgs {
  /** Replicas per service; services not named run one. */
  readonly scale: Readonly<Record<string, number>>;
  readonly dataDir: string;
  /** The storefront's port; the other services take the ports after it, in the order of the design (3001-3005). */
  readonly port: number;
  readonly fresh: boolean;
  readonly help: boolean;
}

/** A wrong command line: the launcher prints the message as one line and exits 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const MAX_REPLICAS = 10;

/** The storefront's port of the design; order-service has the next one, and so on. */
export const DEFAULT_PORT = 3000;
const HIGHEST_BASE_PORT = 65_535 - 9;

/** A second shop on the same machine gets its own data folder with its ports, so the two never share a database or bus. */
export function defaultDataDir(port: number): string {
  return port === DEFAULT_PORT ? '.data' : `.data-${port}`;
}

export const usage = `Usage: npm start -- [--port <n>] [--scale <service>=N]... [--data-dir <dir>] [--fresh]

  --port <n>            the storefront's port (default ${DEFAULT_PORT}); the services take the five after it,
                        and the data folder is .data-<n> unless --data-dir says otherwise: a second shop
  --scale <service>=N   run N replicas of a service (1-${MAX_REPLICAS}); repeatable
  --data-dir <dir>      folder for the database, the message bus, mails and logs (default .data)
  --fresh               wipe the data folder first
  DATABASE_URL          use this PostgreSQL server instead of starting the embedded one`;

export function parseLauncherArgs(argv: readonly string[], services: readonly string[]): LauncherArgs {
  let values: { scale?: string[]; 'data-dir'?: string; port?: string; fresh?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scale: { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        fresh: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = parsePort(values.port);
  const dataDir = values['data-dir'] ?? defaultDataDir(port);
  if (dataDir.trim() === '') throw new UsageError('--data-dir: give a folder');
  return { scale: parseScale(values.scale ?? [], services), dataDir, port, fresh: values.fresh ?? false, help: values.help ?? false };
}

function parsePort(setting: string | undefined): number {
  if (setting === undefined) return DEFAULT_PORT;
  const port = /^\d+$/.test(setting) ? Number(setting) : NaN;
  if (!(port >= 1024 && port <= HIGHEST_BASE_PORT)) {
    throw new UsageError(`--port ${setting}: give a port from 1024 to ${HIGHEST_BASE_PORT} (the services take the ports after it)`);
  }
  return port;
}

function parseScale(settings: readonly string[], services: readonly string[]): Record<string, number> {
  const scale: Record<string, number> = {};
  for (const setting of settings) {
    const match = /^([^=]+)=(.*)$/.exec(setting);
    if (!match) throw new UsageError(`--scale ${setting}: expected <service>=N, e.g. --scale email-service=3`);
    const [, service = '', count = ''] = match;
    if (!services.includes(service))
      throw new UsageError(`--scale ${setting}: unknown service "${service}" (services: ${services.join(', ')})`);
    const replicas = /^\d+$/.test(count) ? Number(count) : NaN;
    if (!(replicas >= 1 && replicas <= MAX_REPLICAS)) {
      throw new UsageError(`--scale ${setting}: N must be a whole number from 1 to ${MAX_REPLICAS}`);
    }
    scale[service] = replicas;
  }
  return scale;
}
