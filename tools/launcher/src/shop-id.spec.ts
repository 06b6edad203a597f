import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopIdFile, shopIdOf } from './shop-id';

describe('the shop id of a data folder', () => {
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-shop-id-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is made on the first run and kept in the folder for every run after', async () => {
    const first = await shopIdOf(dataDir);
    expect(first).toMatch(/^shop-[0-9a-f]{12}$/);
    expect((await readFile(shopIdFile(dataDir), 'utf8')).trim()).toBe(first);
    expect(await shopIdOf(dataDir)).toBe(first);
  });

  it('differs between two data folders', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'stitch-shop-id-'));
    try {
      expect(await shopIdOf(other)).not.toBe(await shopIdOf(dataDir));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses a kept id that is not one, naming the file', async () => {
    await writeFile(shopIdFile(dataDir), 'Not An Id\n');
    await expect(shopIdOf(dataDir)).rejects.toThrow(`${shopIdFile(dataDir)}: "Not An Id" must be 3-63 lower-case letters`);
  });
});
