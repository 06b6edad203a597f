import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { keptValueOf } from './kept-value';

/** Where a data folder keeps the storefront's operator token (OPERATOR_TOKEN), readable by its owner only. */
export function operatorTokenFile(dataDir: string): string {
  return path.join(dataDir, 'operator-token');
}

/** 32 random bytes, base64url: 43 characters an operator pastes into the page or a Bearer header. */
export function newOperatorToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The operator token of a data folder: made on its first run and kept in `<dataDir>/operator-token` (mode 0600), so
 * every run on the folder has the same one. A file others can read is made the owner's alone again.
 */
export async function operatorTokenOf(dataDir: string, make: () => string = newOperatorToken): Promise<string> {
  const file = operatorTokenFile(dataDir);
  const token = await keptValueOf(file, make, { secret: true });
  if (!/^[\x21-\x7e]{16,512}$/.test(token))
    throw new Error(`${file}: not an operator token (16-512 printable characters); delete it to make a new one`);
  return token;
}
