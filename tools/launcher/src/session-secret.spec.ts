import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sessionSecretFile, sessionSecretOf } from './session-secret';

describe('the session key of a data folder', () => {
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-session-secret-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is made at random on the first run and kept in the folder for every run after', async () => {
    const first = await sessionSecretOf(dataDir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await readFile(sessionSecretFile(dataDir), 'utf8')).trim()).toBe(first);
    expect(await sessionSecretOf(dataDir)).toBe(first);
  });

  it('differs between two data folders', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'stitch-session-secret-'));
    try {
      expect(await sessionSecretOf(other)).not.toBe(await sessionSecretOf(dataDir));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  (process.platform === 'win32' ? it.skip : it)('is readable by its owner only, even when it was loosened', async () => {
    await sessionSecretOf(dataDir);
    expect((await stat(sessionSecretFile(dataDir))).mode & 0o777).toBe(0o600);
    await chmod(sessionSecretFile(dataDir), 0o644);
    await sessionSecretOf(dataDir);
    expect((await stat(sessionSecretFile(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('refuses a kept key too short to sign with, naming the file and not the key', async () => {
    await writeFile(sessionSecretFile(dataDir), 'short\n', { mode: 0o600 });
    const failure = sessionSecretOf(dataDir);
    await expect(failure).rejects.toThrow(`${sessionSecretFile(dataDir)}: the session key kept there is shorter than 32 characters`);
    await expect(failure).rejects.not.toThrow(/short\b(?! than)/);
  });
});
