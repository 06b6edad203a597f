import { startEmbeddedPostgres } from '@stitch/persistence';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs `work` with the URL of a server for throw-away databases: SHADOW_DATABASE_URL when set, or else an
 * embedded PostgreSQL started for the call and removed afterwards.
 */
export async function withShadowServer<T>(work: (serverUrl: string) => Promise<T>): Promise<T> {
  const configured = process.env['SHADOW_DATABASE_URL'];
  if (configured) return work(configured);
  const directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-shadow-'));
  // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the OS user `postgres` and must enter it.
  await chmod(directory, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg'), throwAway: true });
  try {
    return await work(server.url);
  } finally {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
