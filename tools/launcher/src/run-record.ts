import { readFile, rename, rm, writeFile } from 'node:fs/promises';

export interface LaunchedProcess {
  readonly service: string;
  readonly instance: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  /** The entry point it runs, as on its command line. */
  readonly script: string;
  /** How often the launcher has restarted this replica. */
  readonly restarts?: number;
}

/** `<dataDir>/run/processes.json`: what a launcher started, for people and tools looking at a running shop. */
export interface RunRecord {
  readonly launcherPid: number;
  readonly startedAt: string;
  readonly dataDir: string;
  /** Without its password. */
  readonly databaseUrl: string;
  readonly postgres?: { readonly port: number; readonly dataDir: string; readonly logFile: string; readonly pid: number };
  readonly storefrontUrl?: string;
  readonly processes: readonly LaunchedProcess[];
}

export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  // Written whole and renamed into place, so a reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
  await rename(partial, file);
}

export async function readRunRecord(file: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

export async function removeRunRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}
