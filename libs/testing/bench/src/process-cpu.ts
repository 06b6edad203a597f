import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const MS_PER_TICK = 10;

interface ProcStat {
  readonly pid: number;
  readonly parent: number;
  /** User plus system time, in ms. */
  readonly cpuMs: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields that follow come after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, parent: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in ms; NaN where there is no /proc or no such process. */
export function cpuMsOf(pid: number): number {
  return procStat(pid)?.cpuMs ?? NaN;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * The CPU time of every process below `root` (its children, theirs, and so on) whose command line `matches`, summed,
 * in ms: the embedded PostgreSQL's server and backends below the process that started them, say. NaN without /proc.
 */
export function descendantsCpuMs(root: number, matches: (command: string) => boolean): number {
  let all: ProcStat[];
  try {
    all = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => procStat(Number(name)) ?? []);
  } catch {
    return NaN;
  }
  const below = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const stat of all) {
      if (!below.has(stat.pid) && below.has(stat.parent)) {
        below.add(stat.pid);
        grew = true;
      }
    }
  }
  return all
    .filter((stat) => stat.pid !== root && below.has(stat.pid) && matches(commandOf(stat.pid)))
    .reduce((sum, stat) => sum + stat.cpuMs, 0);
}
