import type { DeadLetteredMessage, Source } from '@stitch/messaging-core';

/** Undoes a fault. */
export type Restore = () => Promise<void>;

/** A process killed while it held messages, and what became of them. */
export interface Death {
  /** When SIGKILL was sent. */
  readonly killedAt: number;
  /** The envelope ids (as the services log them) of the messages it held when it died: received or locked, not settled. */
  readonly held: readonly string[];
  /** Of those, the ones another process has since received and settled, as the transport saw it. */
  takenOver(): Promise<string[]>;
}

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
  /**
   * Waits until the process holds messages of the queue and kills it then with SIGKILL. Whether it holds any is judged
   * while it is stopped (SIGSTOP), so that nothing it holds can be settled between the look and the kill; one found
   * holding none is let run on (SIGCONT) until the next chance. Resolves once the process is gone and everything it
   * had asked of the transport is done, so `held` is exactly what it held when it died. Only where `messagesInHand`
   * can tell.
   */
  killWhenHolding(pid: number, queue: string, timeoutMs: number): Promise<Death>;
  close(): Promise<void>;
}
