import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One `handled <Message>` line a service wrote after its handler's transaction committed. */
export interface Handling {
  readonly service: string;
  readonly instance: string;
  readonly messageId: string;
  readonly type: string;
  readonly attempt: number;
  readonly time: number;
}

/**
 * What the services' logs say they handled. The messaging core logs `handled <Message>` once per delivery whose
 * handler finished, including a repeat the inbox completed without running the handler again; so a message seen
 * N times by one service was delivered N times and N - 1 repeats were absorbed.
 */
export class HandledLog {
  constructor(readonly handlings: readonly Handling[]) {}

  /** Reads every `<instance>.log` under the launcher's logs folder, keeping lines written at or after `since`. */
  static async read(logsDir: string, since = 0): Promise<HandledLog> {
    const files = (await readdir(logsDir)).filter((name) => name.endsWith('.log') && name !== 'postgres.log');
    const handlings: Handling[] = [];
    for (const file of files) {
      for (const line of (await readFile(path.join(logsDir, file), 'utf8')).split('\n')) {
        const handling = parseHandling(line);
        if (handling && handling.time >= since) handlings.push(handling);
      }
    }
    return new HandledLog(handlings);
  }

  /** Deliveries per (service, message id). */
  deliveries(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const handling of this.handlings) {
      const key = `${handling.service} ${handling.messageId}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** Messages a service handled, each counted once. */
  get distinct(): number {
    return this.deliveries().size;
  }

  /** Deliveries beyond the first of each message to each service: repeats the inbox absorbed. */
  get repeats(): number {
    return this.handlings.length - this.distinct;
  }

  /** Messages delivered to a service more than once. */
  get deliveredMoreThanOnce(): number {
    return [...this.deliveries().values()].filter((count) => count > 1).length;
  }

  ofType(type: string): HandledLog {
    return new HandledLog(this.handlings.filter((handling) => handling.type === type));
  }
}

/** A pino JSON line of the messaging core's `handled <Message>`; anything else is undefined. */
export function parseHandling(line: string): Handling | undefined {
  if (!line.includes('"msg":"handled ')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { service, instance, messageId, type, attempt, time, msg } = entry;
  if (typeof msg !== 'string' || !msg.startsWith('handled ')) return undefined;
  if (typeof service !== 'string' || typeof instance !== 'string' || typeof messageId !== 'string' || typeof type !== 'string')
    return undefined;
  if (typeof attempt !== 'number' || typeof time !== 'number') return undefined;
  return { service, instance, messageId, type, attempt, time };
}
