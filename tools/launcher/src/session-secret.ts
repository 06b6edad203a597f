import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where a data folder keeps the key that signs its storefront's customer sessions. */
export function sessionSecretFile(dataDir: string): string {
  return path.join(dataDir, 'session-secret');
}

/** 48 random bytes, base64url: 64 characters. */
export function newSessionSecret(): string {
  return randomBytes(48).toString('base64url');
}

/**
 * The key that signs the storefront's session cookies (SESSION_SECRET) for a data folder: made on its first run and
 * kept in `<dataDir>/session-secret`, readable and writable by its owner only (0600), so sessions outlive a restart of
 * the shop and a second folder is another shop with its own key. A kept file that others may read is made private
 * again; one that holds no usable key is refused, naming the file but never its content.
 */
export async function sessionSecretOf(dataDir: string, make: () => string = newSessionSecret): Promise<string> {
  const file = sessionSecretFile(dataDir);
  try {
    await writeFile(file, `${make()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // writeFile's mode is filtered by the umask, and an older file may have been loosened: set it, where the OS has modes.
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${file}: the session key kept there is shorter than 32 characters; delete the file to have a new one made (every customer signs in anew)`);
  return secret;
}
