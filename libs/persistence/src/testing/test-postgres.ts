import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../postgres/embedded-postgres';

export interface TestPostgres {
  /** The server URL (database `postgres`). */
  readonly url: string;
  stop(): Promise<void>;
}

/** A PostgreSQL server of the test file's own, on a free port, with its data in a temporary folder. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-pg-'));
  // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the OS user `postgres` and must enter it.
  await chmod(directory, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg'), throwAway: true });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
