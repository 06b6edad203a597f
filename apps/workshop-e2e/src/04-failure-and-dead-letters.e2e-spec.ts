// Lab 04's checkpoint: the shop started with the lab's settings; order-service killed (kill -9, as the lab types it)
// while it holds a UserSignedUp, restarted by the launcher, and the message handled once on its second delivery; a
// poison ChargePayment dead-lettered, listed by `npm run dlq` and the operator API; then the shop started again as the
// lab's fix starts it, the dead letter replayed, handled, and its order confirmed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ChargePayment, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { eventually } from '@stitch/shop-testing';
import { containsExpected } from './support/expected-output';
import { expectAsShown } from './support/as-shown';
import { Lab } from './support/lab';
import { LabShop } from './support/lab-shop';

const lab = new Lab('04-failure-and-dead-letters');
const SETTLE_MS = 90_000;

describe('lab 04: failure and dead letters', () => {
  let run: LabShop;

  beforeAll(async () => {
    run = await LabShop.start(lab);
  });

  afterAll(async () => {
    await run?.stop();
  });

  const expectAmong = (name: string, output: string) =>
    expect({ block: name, output: output.trim(), shown: containsExpected(output, lab.expected(name)) }).toEqual({
      block: name,
      output: output.trim(),
      shown: true,
    });
  const orderService = () => run.shop.processes.find((child) => child.instance === 'order-service-1');

  it('redelivers the UserSignedUp a killed replica held, and handles it once', async () => {
    expectAsShown(lab, 'sign-up', await run.run('sign-up'));
    // grep fails until order-service has taken the message and said it holds it.
    const held = await eventually('order-service to hold the UserSignedUp', () => run.run('held').catch(() => ''), Boolean, SETTLE_MS);
    expectAsShown(lab, 'held', held);

    const killed = orderService()?.pid;
    expectAsShown(lab, 'kill', await run.run('kill'));

    const redelivered = await eventually(
      'the UserSignedUp handled after the restart',
      () => run.run('redelivered').catch(() => ''),
      Boolean,
      SETTLE_MS,
    );
    expectAsShown(lab, 'redelivered', redelivered);
    expect(orderService()?.restarts).toBe(1);
    expect(orderService()?.pid).not.toBe(killed);
    const record = JSON.parse(await readFile(path.join(run.dataDir, 'run', 'processes.json'), 'utf8')) as {
      processes: { instance: string; pid: number }[];
    };
    expect(record.processes.find((child) => child.instance === 'order-service-1')?.pid).toBe(orderService()?.pid);
    const handledSignUp = run.flow.filter((r) => r.type === UserSignedUp.type && r.to === Services.order);
    expect(handledSignUp.map((r) => r.outcome)).toEqual(['handled']);
  });

  it('dead-letters the poison ChargePayment and lists it, while its order waits', async () => {
    await run.run('poison-order');
    const listed = await eventually(
      'the poison ChargePayment among the dead letters',
      () => run.run('dlq-list'),
      (output) => output.includes('1 dead letter in'),
      SETTLE_MS,
    );
    expectAmong('dlq-list', listed);
    expect(run.flow.filter((r) => r.type === ChargePayment.type).map((r) => r.outcome)).toEqual([
      'retried',
      'retried',
      'retried',
      'retried',
      'dead-lettered',
    ]);
    expectAsShown(lab, 'dead-letters-api', await run.run('dead-letters-api'));
    const refused = await fetch(`${run.storefrontUrl}/api/dead-letters`);
    expect(refused.status).toBe(401);
    expectAsShown(lab, 'order-status', await run.run('order-status'), lab.expected('order-pending'));
  });

  it('after the fix, replays the dead letter: the charge is handled and the order confirmed', async () => {
    await run.restart('restart');
    expectAmong('replay', await run.run('replay'));
    const confirmed = await eventually(
      'the order to be confirmed',
      () => run.run('order-status'),
      (output) => !output.includes('"status":"pending"'),
      SETTLE_MS,
    );
    expectAsShown(lab, 'order-status', confirmed, lab.expected('order-confirmed'));
    expect(run.flow.filter((r) => r.type === ChargePayment.type).map((r) => r.outcome)).toEqual(['handled']);
    expectAmong('dlq-list-after', await run.run('dlq-list-after'));
  });
});
