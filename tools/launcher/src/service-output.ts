/** One line a service wrote, as the console shows it. */
export interface ServiceLine {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly text: string;
}

const pinoLevels: Record<number, ServiceLine['level']> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Services log pino JSON lines on stdout; anything on stderr is not a log line (a bad setting's one line, a
 * crash's stack trace) and counts as an error.
 */
export function readServiceLine(raw: string, stream: 'stdout' | 'stderr'): ServiceLine | undefined {
  const line = raw.trimEnd();
  if (line === '') return undefined;
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
      const level = typeof entry.level === 'number' ? pinoLevels[entry.level] : undefined;
      if (level) {
        const message = typeof entry.msg === 'string' ? entry.msg : '';
        const error = typeof entry.err?.message === 'string' && !message.includes(entry.err.message) ? `: ${entry.err.message}` : '';
        return { level, text: `${message}${error}` };
      }
    } catch {
      // not JSON after all: shown as it is
    }
  }
  return { level: stream === 'stderr' ? 'error' : 'info', text: line };
}

/** What `npm start` echoes from a service; the rest stays in its log file. */
export function worthShowing(line: ServiceLine): boolean {
  return line.level === 'warn' || line.level === 'error' || line.level === 'fatal';
}
