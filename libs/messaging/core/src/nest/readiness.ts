import { Injectable } from '@nestjs/common';

/** Resolves when the dependency answers; rejects with what is wrong. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * What a replica needs to do its work, each with a check that it answers: the transport and its topology (added by
 * the messaging module), the database (added by the persistence module). `GET /health/ready` runs them all.
 */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): ReadonlyArray<readonly [string, ReadinessCheck]> {
    return [...this.checks];
  }
}
