import { ConfigError, StartupError } from './config-error';

/**
 * One topology, one shop. Whoever provisions a topology (the embedded transport itself; `topology:aws`,
 * `topology:azure`) marks it with the id of the shop instance it belongs to, and every transport reads the mark at
 * start: a service of another shop on the same topology would take that shop's messages, so it refuses to start.
 */

/** Letters, digits and "-", 3 to 63: fits an SQS tag value, a Service Bus property and a file. */
export const SHOP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export const SHOP_ID_RULE = 'must be 3-63 lower-case letters, digits or "-", starting and ending with a letter or digit';

/** A fresh shop id: `shop-` and 12 hex digits. */
export function newShopId(random: () => string = () => crypto.randomUUID().replace(/-/g, '').slice(0, 12)): string {
  return `shop-${random()}`;
}

/** Validates a shop id given to a tool (a flag, a file); the services validate STITCH_SHOP_ID through their config. */
export function checkShopId(shopId: string, where = 'STITCH_SHOP_ID'): string {
  if (!SHOP_ID_PATTERN.test(shopId)) throw new ConfigError(`${where}: "${shopId}" ${SHOP_ID_RULE}`);
  return shopId;
}

/** What a service says when it starts without knowing its shop: it cannot tell whose topology it would join. */
export function shopIdMissing(): ConfigError {
  return new ConfigError(
    'STITCH_SHOP_ID is not set: a service must know which shop instance it belongs to before it joins a topology; ' +
      'npm start sets it (kept in <data folder>/shop-id), elsewhere set it to the id the topology was provisioned with',
  );
}

/** The one line of a service whose topology is marked with another shop's id. */
export function topologyOfAnotherShop(options: {
  readonly topology: string;
  readonly owner: string;
  readonly shopId: string;
  readonly fix: string;
}): StartupError {
  return new StartupError(
    `${options.topology} belongs to shop ${options.owner}, not to this shop ${options.shopId}: two shops on one topology take each other's messages; ${options.fix}`,
  );
}

/** The shop id a service runs with: STITCH_SHOP_ID, which it cannot start without. */
export function requireShopId(shopId: string | undefined): string {
  if (!shopId) throw shopIdMissing();
  return shopId;
}
