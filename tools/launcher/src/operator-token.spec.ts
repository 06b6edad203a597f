import { mkdtemp, rm, stat, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { operatorTokenFile, operatorTokenOf } from './operator-token';

describe('the operator token of a data folder', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-operator-token-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is made once, random, kept for the next run, and readable by its owner only', async () => {
    const first = await operatorTokenOf(dataDir);
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(await operatorTokenOf(dataDir)).toBe(first);
    const other = await mkdtemp(path.join(os.tmpdir(), 'stitch-operator-token-'));
    try {
      expect(await operatorTokenOf(other)).not.toBe(first);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    if (process.platform !== 'win32') expect((await stat(operatorTokenFile(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('takes a file others could read back to 0600', async () => {
    if (process.platform === 'win32') return;
    await writeFile(operatorTokenFile(dataDir), 'a-token-someone-wrote-by-hand\n');
    await chmod(operatorTokenFile(dataDir), 0o644);
    expect(await operatorTokenOf(dataDir)).toBe('a-token-someone-wrote-by-hand');
    expect((await stat(operatorTokenFile(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that holds no token, without quoting it', async () => {
    await writeFile(operatorTokenFile(dataDir), 'short\n', { mode: 0o600 });
    await expect(operatorTokenOf(dataDir)).rejects.toThrow(
      `${operatorTokenFile(dataDir)}: not an operator token (16-512 printable characters); delete it to make a new one`,
    );
  });
});
