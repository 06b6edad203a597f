// Lab 01's checkpoint: the shop started as the lab starts it, the lab's commands run as written, and what the
// checkpoint says checked: the order confirmed, TEE-BLK-L down by two, one copy per command and three of
// UserSignedUp, no message for a query, two mails, and the checkout's correlation id in every service's log.
import { PlaceOrder, ReserveStock, ChargePayment, SendEmail, UserSignedUp } from '@stitch/contracts';
import { eventually } from '@stitch/shop-testing';
import { matchesExpected } from './support/expected-output';
import { expectAsShown } from './support/as-shown';
import { Lab } from './support/lab';
import { LabShop } from './support/lab-shop';

const lab = new Lab('01-run-the-shop');
const COMMANDS = [PlaceOrder, ReserveStock, ChargePayment, SendEmail];
const SETTLE_MS = 60_000;

describe('lab 01: run the shop', () => {
  let run: LabShop;

  beforeAll(async () => {
    run = await LabShop.start(lab);
  });

  afterAll(async () => {
    await run?.stop();
  });

  const runAsShown = async (name: string) => {
    const output = await run.run(name);
    expectAsShown(lab, name, output);
    return output;
  };

  it('reads the catalogue without sending a message, then signs up: the first messages are the sign-up’s', async () => {
    await runAsShown('products-before');
    await runAsShown('sign-up');
    const signUps = await eventually(
      'UserSignedUp handled by its three subscribers',
      () => run.flow.filter((record) => record.outcome === 'handled'),
      (handled) => handled.filter((record) => record.type === UserSignedUp.type).length >= UserSignedUp.subscribers.length,
      SETTLE_MS,
    );
    expect(signUps.map((record) => record.type)).toEqual(UserSignedUp.subscribers.map(() => UserSignedUp.type));
    expect(signUps.map((record) => record.to).sort()).toEqual([...UserSignedUp.subscribers].sort());
  });

  it('places the order of two TEE-BLK-L: pending at once, then confirmed', async () => {
    await runAsShown('place-order');
    const status = await eventually(
      'the order to be confirmed',
      () => run.run('order-status'),
      (output) => !output.includes('"status":"pending"'),
      SETTLE_MS,
    );
    expect(matchesExpected(status, lab.expected('order-status'))).toBe(true);
    await runAsShown('products-after');
  });

  it('gives each command one copy and UserSignedUp three, and no message for the queries', async () => {
    await eventually(
      'the confirmation mail’s SendEmail in the flow',
      () => run.flow,
      (records) => records.some((record) => record.type === SendEmail.type && record.outcome === 'handled'),
      SETTLE_MS,
    );
    const handled = run.flow.filter((record) => record.outcome === 'handled');
    const copies = (type: string) => handled.filter((record) => record.type === type).map((record) => record.to);
    for (const command of COMMANDS)
      expect({ command: command.name, copies: copies(command.type).length }).toEqual({ command: command.name, copies: 1 });
    expect(copies(UserSignedUp.type)).toHaveLength(3);
    // The order-status and product queries ran between the messages: each record belongs to the sign-up or the checkout.
    const signUp = handled.find((record) => record.type === UserSignedUp.type)?.correlationId;
    const checkout = handled.find((record) => record.type === PlaceOrder.type)?.correlationId;
    expect(run.flow.filter((record) => record.correlationId !== signUp && record.correlationId !== checkout)).toEqual([]);
    expect(run.flow.filter((record) => record.outcome !== 'handled')).toEqual([]);
  });

  it('wrote a welcome and a confirmation, and the checkout is in every service’s log', async () => {
    const mails = await eventually(
      'two mails',
      () => run.run('mails'),
      (output) => output.trim().startsWith('2'),
      SETTLE_MS,
    );
    expect(matchesExpected(mails, lab.expected('mails'))).toBe(true);
    await runAsShown('grep-correlation');
  });
});
