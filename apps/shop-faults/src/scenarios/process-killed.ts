import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive, operatorTokenFile, type RunningShop } from '@stitch/launcher';
import { eventually } from '@stitch/shop-testing';
import { ExternalLauncher, freeBasePort, survivorsOf } from '../support/external-launcher';
import { expectEveryOrderOnce, FAULT_ENV, FaultShop } from '../support/fault-shop';
import { LocalFaults } from '../support/local-faults';

const CONCURRENCY = 5;
/** Orders accepted before the kill, so it lands mid-checkout with messages in every queue. */
const ACCEPTED_BEFORE_KILL = 20;

/**
 * kill -9 of the embedded PostgreSQL's postmaster while customers check out, under the supervising launcher: it
 * starts PostgreSQL again on its data, crash recovery replays what was committed, the consumers wait meanwhile.
 * Every commit acknowledged survived (durable settings), so every accepted order completes, once.
 */
export async function postmasterKilled(shop: FaultShop): Promise<void> {
  const startedAt = Date.now();
  const users = await shop.knownUsers(3);
  const product = await shop.productWithStock(5, 100_000);
  const deadLettersBefore = await shop.deadLetterCount();
  const { postgres } = await shop.runRecord();
  if (!postgres) throw new Error('the shop runs no embedded PostgreSQL');

  const checkout = shop.keepCheckingOut(users, product.sku, CONCURRENCY);
  await eventually(
    'orders accepted before the kill',
    async () => checkout.placement.accepted.length,
    (n) => n >= ACCEPTED_BEFORE_KILL,
    120_000,
  );
  const acceptedBefore = checkout.placement.accepted.length;
  process.kill(postgres.pid, 'SIGKILL');
  const killedAt = Date.now();
  const restarted = await eventually(
    'PostgreSQL started again by the launcher',
    () => shop.runRecord(),
    (record) => !!record.postgres && record.postgres.pid !== postgres.pid,
    120_000,
  );
  const downMs = Date.now() - killedAt;
  await eventually(
    'orders accepted after the restart',
    async () => checkout.placement.accepted.length,
    (n) => n >= acceptedBefore + ACCEPTED_BEFORE_KILL,
    120_000,
  );
  const total = await checkout.stop();

  await expectEveryOrderOnce(shop, total, product, deadLettersBefore, 'embedded PostgreSQL killed with SIGKILL during checkout', {
    'down ms': downMs,
    'accepted before it': acceptedBefore,
    s: () => Math.round((Date.now() - startedAt) / 1000),
  });
  expect(isAlive(postgres.pid)).toBe(false);
  expect(restarted.postgres?.port).toBe(postgres.port);
}

/**
 * SIGKILL to the launcher itself while customers check out: the reaper it left behind stops every service and
 * PostgreSQL (no orphan keeps a port), and `npm start` again on the same data folder brings the shop back, which
 * completes every order it had accepted.
 */
export async function launcherKilled(): Promise<void> {
  const startedAt = Date.now();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-launcher-kill-'));
  await chmod(tmp, 0o755);
  const dataDir = path.join(tmp, 'data');
  const port = await freeBasePort(6);
  const env = { ...FAULT_ENV, MESSAGING_TRANSPORT: 'local' };
  const faults = new LocalFaults(dataDir);
  let launcher = await ExternalLauncher.start({ dataDir, port, env, readyTimeoutMs: 180_000 });
  try {
    // The embedded PostgreSQL takes 5432 when free, another port otherwise: each launch may pick another.
    const shop = FaultShop.attach(await attached(launcher, () => launcher), faults, () => launcher.databaseUrl());
    const users = await shop.knownUsers(3);
    const product = await shop.productWithStock(6, 100_000);

    const checkout = shop.keepCheckingOut(users, product.sku, CONCURRENCY, 240_000);
    await eventually(
      'orders accepted before the kill',
      async () => checkout.placement.accepted.length,
      (n) => n >= ACCEPTED_BEFORE_KILL,
      120_000,
    );
    const acceptedBefore = checkout.placement.accepted.length;
    const before = await launcher.record();
    await launcher.killSupervisor();
    const killedAt = Date.now();
    const orphans = await eventually(
      'every process of the killed launcher gone',
      async () => survivorsOf(before),
      (alive) => alive.length === 0,
      60_000,
    ).catch(() => survivorsOf(before));
    const goneMs = Date.now() - killedAt;
    await launcher.stop();

    launcher = await ExternalLauncher.start({ dataDir, port, env, readyTimeoutMs: 180_000 });
    const backMs = Date.now() - killedAt;
    await eventually(
      'orders accepted after the restart',
      async () => checkout.placement.accepted.length,
      (n) => n >= acceptedBefore + ACCEPTED_BEFORE_KILL,
      120_000,
    );
    const total = await checkout.stop();

    await expectEveryOrderOnce(shop, total, product, 0, 'launcher killed with SIGKILL during checkout', {
      'orphans left': orphans.length,
      'all gone ms': goneMs,
      'shop back ms': backMs,
      'accepted before it': acceptedBefore,
      s: () => Math.round((Date.now() - startedAt) / 1000),
    });
    expect(orphans).toEqual([]);
  } finally {
    await launcher.stop();
    await faults.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The shop an external launcher runs, as FaultShop reads it; `current` is the launcher running now. */
async function attached(first: ExternalLauncher, current: () => ExternalLauncher): Promise<RunningShop> {
  const record = await first.record();
  return {
    storefrontUrl: record.storefrontUrl,
    processes: record.processes,
    databaseUrl: await first.databaseUrl(),
    operatorToken: await first.operatorToken(),
    operatorTokenFile: operatorTokenFile(first.dataDir),
    dataDir: first.dataDir,
    runFile: first.runFile,
    unexpectedExit: new Promise(() => undefined),
    stop: () => current().stop(),
  };
}
