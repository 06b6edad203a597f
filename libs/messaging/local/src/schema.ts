import type { Topology } from '@stitch/messaging-catalogue';
import { topologyOfAnotherShop } from '@stitch/messaging-core';
import type { Database } from './sqlite';
import { subscriptionAddress } from './addresses';

/**
 * Every table is created if missing, so any process may be the first to start. STRICT keeps the column types honest;
 * times are epoch ms.
 */
const SCHEMA = `
  -- Queues and subscriptions, each with the broker's delivery limit.
  CREATE TABLE IF NOT EXISTS addresses (
    address            TEXT PRIMARY KEY,
    max_delivery_count INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  -- Subscription filters: an event of \`type\` published on \`topic\` is copied to \`address\`.
  CREATE TABLE IF NOT EXISTS rules (
    topic   TEXT NOT NULL,
    type    TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (topic, type, address)
  ) STRICT, WITHOUT ROWID;

  -- One row per message per address. A message is available when visible_at <= now; locking it pushes visible_at
  -- to the end of the lease, so a lease that lapses needs no clean-up.
  CREATE TABLE IF NOT EXISTS messages (
    seq            INTEGER PRIMARY KEY,
    address        TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    type           TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    body           TEXT NOT NULL,
    headers        TEXT NOT NULL,
    enqueued_at    INTEGER NOT NULL,
    visible_at     INTEGER NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    lock_token     TEXT,
    locked_by      TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (address, visible_at);

  -- AUTOINCREMENT so the id of a purged dead letter is never handed out again.
  CREATE TABLE IF NOT EXISTS dead_letters (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    address          TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    type             TEXT NOT NULL,
    correlation_id   TEXT NOT NULL,
    body             TEXT NOT NULL,
    headers          TEXT NOT NULL,
    enqueued_at      INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    description      TEXT NOT NULL,
    dead_lettered_at INTEGER NOT NULL,
    attempts         INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS dead_letters_by_address ON dead_letters (address, seq);

  -- AUTOINCREMENT so seq only grows even after pruning empties the table: subscribers tail by seq.
  CREATE TABLE IF NOT EXISTS flow (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record     TEXT NOT NULL,
    written_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS flow_by_age ON flow (written_at);

  -- The file's own facts; 'shop' is the id of the shop instance whose processes share it (see shopMarker).
  CREATE TABLE IF NOT EXISTS metadata (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
`;

/**
 * Creates the tables and makes addresses and filter rules match the topology, atomically for other processes. With a
 * shop id, the file is first claimed for that shop (its first process writes the marker) and refused, with nothing
 * changed, when it belongs to another shop.
 */
export function applySchema(db: Database, topology: Topology, shop?: { readonly id: string; readonly file: string }): void {
  db.write(() => {
    db.exec(SCHEMA);
    if (shop) claimForShop(db, shop.id, shop.file);
    const upsertAddress = db.prepare(
      `INSERT INTO addresses (address, max_delivery_count) VALUES (?, ?)
       ON CONFLICT (address) DO UPDATE SET max_delivery_count = excluded.max_delivery_count`,
    );
    const insertRule = db.prepare('INSERT OR IGNORE INTO rules (topic, type, address) VALUES (?, ?, ?)');
    for (const queue of topology.queues) upsertAddress.run(queue.name, queue.maxDeliveryCount);
    // The topology describes every subscription there is, so rules it no longer names are dropped by rebuilding them.
    db.exec('DELETE FROM rules');
    for (const subscription of topology.topic.subscriptions) {
      const address = subscriptionAddress(subscription.topic, subscription.name);
      upsertAddress.run(address, subscription.maxDeliveryCount);
      for (const type of subscription.types) insertRule.run(subscription.topic, type, address);
    }
  });
}

/** The shop a bus file belongs to: the first shop whose process opened it, or undefined for a file no shop claimed. */
export function shopMarker(db: Database): string | undefined {
  const row = db.read(() => db.prepare("SELECT value FROM metadata WHERE key = 'shop'").get());
  return typeof row?.['value'] === 'string' ? row['value'] : undefined;
}

function claimForShop(db: Database, shopId: string, file: string): void {
  db.prepare("INSERT OR IGNORE INTO metadata (key, value) VALUES ('shop', ?)").run(shopId);
  const owner = db.prepare("SELECT value FROM metadata WHERE key = 'shop'").get()?.['value'];
  if (owner !== shopId) {
    throw topologyOfAnotherShop({
      topology: `the bus file ${file}`,
      owner: String(owner),
      shopId,
      fix: "give this shop its own data folder (STITCH_DATA_DIR), or start it with that shop's id (STITCH_SHOP_ID)",
    });
  }
}
