// Lab 03's checkpoint: the shop started with the lab's workshop settings; an order that overtakes its sign-up retried
// then handled; a declined card's stock released; an out-of-stock order cancelled naming the SKU; an order that
// never hears from payment cancelled by its timeout with its stock back; bad input refused; one order per order id.
import { ChargePayment, ExpireOrder, PlaceOrder, ReleaseStock } from '@stitch/contracts';
import { eventually } from '@stitch/shop-testing';
import { matchesExpected } from './support/expected-output';
import { expectAsShown } from './support/as-shown';
import { Lab } from './support/lab';
import { LabShop } from './support/lab-shop';

const lab = new Lab('03-compensation-and-retries');
const SETTLE_MS = 90_000;

describe('lab 03: compensation and retries', () => {
  let run: LabShop;

  beforeAll(async () => {
    run = await LabShop.start(lab);
  });

  afterAll(async () => {
    await run?.stop();
  });

  const outcomes = (type: string, correlationId?: string) =>
    run.flow
      .filter((record) => record.type === type && (!correlationId || record.correlationId === correlationId))
      .map((record) => record.outcome);

  it('retries the order that overtook its sign-up, then handles it', async () => {
    expectAsShown(lab, 'race', await run.run('race'));
    const lines = await eventually(
      'the PlaceOrder handled after its retries',
      // grep finds nothing, and fails, until order-service has logged its first attempt.
      async () => (await run.run('retries').catch(() => '')).trim().split('\n'),
      (seen) => seen.some((line) => line.endsWith(': handled PlaceOrder')),
      SETTLE_MS,
    );
    const [retryLine = '', , , , handledLine = ''] = lab.expected('retries').split('\n');
    const handledAt = lines.findIndex((line) => line.endsWith(': handled PlaceOrder'));
    expect(handledAt).toBeGreaterThanOrEqual(1);
    expect(lines.slice(0, handledAt).filter((line) => !matchesExpected(line, retryLine.replace(/^attempt \d+/, 'attempt …')))).toEqual([]);
    expect(lines[handledAt]).toBe(`attempt ${handledAt + 1}: handled PlaceOrder`);
    expect(matchesExpected(lines[handledAt] ?? '', handledLine.replace(/^attempt \d+/, 'attempt …'))).toBe(true);
    const placeOrder = await eventually(
      'the flow to show the PlaceOrder handled',
      () => outcomes(PlaceOrder.type),
      (seen) => seen.includes('handled'),
      SETTLE_MS,
    );
    expect(placeOrder.slice(0, placeOrder.indexOf('handled'))).toEqual(Array(handledAt).fill('retried'));
  });

  it('compensates the declined card, refuses the scarf order and times out the order payment never answers', async () => {
    await run.run('declined');
    await run.run('scarf');
    await run.run('timeout');
    const statuses = await eventually(
      'every order of the lab to be confirmed or cancelled',
      () => run.run('statuses'),
      (output) => !output.includes('"status":"pending"'),
      SETTLE_MS,
    );
    expectAsShown(lab, 'statuses', statuses);
    expectAsShown(lab, 'stock', await run.run('stock'));

    const released = run.flow.filter((record) => record.type === ReleaseStock.type && record.outcome === 'handled');
    expect(released).toHaveLength(2);
    // The order payment never answered: its ChargePayment failed every attempt; its own ExpireOrder cancelled it.
    const poisoned = run.flow.find((record) => record.type === ChargePayment.type && record.outcome === 'dead-lettered')?.correlationId;
    expect(poisoned).toBeDefined();
    expect(outcomes(ChargePayment.type, poisoned)).toEqual(['retried', 'retried', 'retried', 'retried', 'dead-lettered']);
    expect(outcomes(ExpireOrder.type, poisoned)).toEqual(['handled']);
    expect(outcomes(ReleaseStock.type, poisoned)).toEqual(['handled']);
  });

  it('refuses bad input before sending anything, and places an order once however often it is sent', async () => {
    expectAsShown(lab, 'bad-input', await run.run('bad-input'));
    const placedBefore = outcomes(PlaceOrder.type).filter((outcome) => outcome === 'handled').length;
    expectAsShown(lab, 'same-order', await run.run('same-order'));
    const placed = await eventually(
      'the one PlaceOrder of the order sent twice',
      () => outcomes(PlaceOrder.type).filter((outcome) => outcome === 'handled').length,
      (count) => count > placedBefore,
      SETTLE_MS,
    );
    expect(placed).toBe(placedBefore + 1);
  });
});
