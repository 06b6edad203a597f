import path from 'node:path';
import { checkShopId, newShopId } from '@stitch/messaging-core';
import { keptValueOf } from './kept-value';

/** Where a data folder keeps the id of its shop instance. */
export function shopIdFile(dataDir: string): string {
  return path.join(dataDir, 'shop-id');
}

/**
 * The id of the shop instance a data folder holds: made on its first run and kept in `<dataDir>/shop-id`, so every
 * run on the folder is the same shop and a second folder is another shop. Its topology is marked with it.
 */
export async function shopIdOf(dataDir: string, make: () => string = newShopId): Promise<string> {
  const file = shopIdFile(dataDir);
  return checkShopId(await keptValueOf(file, make), file);
}
