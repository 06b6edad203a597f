import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { keptValueOf } from './kept-value';

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
  const secret = await keptValueOf(file, make, { secret: true });
  if (secret.length < 32)
    throw new Error(
      `${file}: the session key kept there is shorter than 32 characters; delete the file to have a new one made (every customer signs in anew)`,
    );
  return secret;
}
