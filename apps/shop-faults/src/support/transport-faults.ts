import type { DeadLetteredMessage, Source } from '@stitch/messaging-core';

/** Undoes a fault. */
export type Restore = () => Promise<void>;

/**
 * Faults a test injects into a transport from outside the shop's processes: production code has no switch for
 * any of them. One implementation per transport.
 */
export interface TransportFaults {
  /** `local` or `aws`, as the figures lines name it. */
  readonly name: string;
  /** Added to every process's environment: what makes the shop use this transport (and its faults). */
  readonly env: Readonly<Record<string, string>>;
  /** From now until restored, every message sent or published is delivered twice. */
  duplicateEveryMessage(): Promise<Restore>;
  /** From now until restored, no process can reach the transport. */
  cutOff(): Promise<Restore>;
  deadLetters(source: Source): Promise<DeadLetteredMessage[]>;
  /** How many messages of a queue a process holds right now, where the test can tell; otherwise undefined. */
  messagesInHand(pid: number, queue: string): number | undefined;
  close(): Promise<void>;
}
