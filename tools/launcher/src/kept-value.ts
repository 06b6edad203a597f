import { chmod, readFile, stat, writeFile } from 'node:fs/promises';

/**
 * A value a data folder keeps in a file of its own: made by `make` on the folder's first run, read back on every
 * later one, so each run on the folder gets the same. `secret: true` keeps the file readable by its owner only
 * (0600): writeFile's mode is filtered by the umask, and an older file may have been loosened, so it is set, where
 * the OS has modes.
 */
export async function keptValueOf(file: string, make: () => string, options: { readonly secret?: boolean } = {}): Promise<string> {
  try {
    await writeFile(file, `${make()}\n`, { flag: 'wx', ...(options.secret ? { mode: 0o600 } : {}) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (options.secret && process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return (await readFile(file, 'utf8')).trim();
}
