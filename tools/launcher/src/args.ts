import { parseArgs } from 'node:util';

export interface LauncherArgs {
  /** Replicas per service; services not named run one. */
  readonly scale: Readonly<Record<string, number>>;
  readonly dataDir: string;
  readonly fresh: boolean;
  readonly help: boolean;
}

/** A wrong command line: the launcher prints the message as one line and exits 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const MAX_REPLICAS = 10;

export const usage = `Usage: npm start -- [--scale <service>=N]... [--data-dir <dir>] [--fresh]

  --scale <service>=N   run N replicas of a service (1-${MAX_REPLICAS}); repeatable
  --data-dir <dir>      folder for the database, the message bus, mails and logs (default .data)
  --fresh               wipe the data folder first
  DATABASE_URL          use this PostgreSQL server instead of starting the embedded one`;

export function parseLauncherArgs(argv: readonly string[], services: readonly string[]): LauncherArgs {
  let values: { scale?: string[]; 'data-dir'?: string; fresh?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scale: { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        fresh: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dataDir = values['data-dir'] ?? '.data';
  if (dataDir.trim() === '') throw new UsageError('--data-dir: give a folder');
  return { scale: parseScale(values.scale ?? [], services), dataDir, fresh: values.fresh ?? false, help: values.help ?? false };
}

function parseScale(settings: readonly string[], services: readonly string[]): Record<string, number> {
  const scale: Record<string, number> = {};
  for (const setting of settings) {
    const match = /^([^=]+)=(.*)$/.exec(setting);
    if (!match) throw new UsageError(`--scale ${setting}: expected <service>=N, e.g. --scale email-service=3`);
    const [, service = '', count = ''] = match;
    if (!services.includes(service)) throw new UsageError(`--scale ${setting}: unknown service "${service}" (services: ${services.join(', ')})`);
    const replicas = /^\d+$/.test(count) ? Number(count) : NaN;
    if (!(replicas >= 1 && replicas <= MAX_REPLICAS)) {
      throw new UsageError(`--scale ${setting}: N must be a whole number from 1 to ${MAX_REPLICAS}`);
    }
    scale[service] = replicas;
  }
  return scale;
}
