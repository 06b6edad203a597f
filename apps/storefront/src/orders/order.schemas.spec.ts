import { problemsOf } from '../http/api-error';
import { placeOrderRequestSchema } from './order.schemas';

const userId = '3b241101-e2bb-4255-8caf-4136c566a962';
const valid = { userId, items: [{ sku: 'TEE-WHT-M', quantity: 2 }] };

function problems(body: unknown) {
  const result = placeOrderRequestSchema.safeParse(body);
  return result.success ? [] : problemsOf(result.error);
}

describe('the place-order request', () => {
  it('turns a card into a token and its last four digits, keeping nothing else of it', () => {
    const parsed = placeOrderRequestSchema.parse({ ...valid, card: '4000-0000-0000-0002' });
    expect(parsed.card).toEqual({ token: 'tok_chargeDeclined', last4: '0002' });
    expect(JSON.stringify(parsed)).not.toContain('4000000000000002');
  });

  it('needs no card', () => {
    expect(placeOrderRequestSchema.parse(valid).card).toBeUndefined();
  });

  it.each([
    [{ ...valid, userId: 'u-1' }, 'userId'],
    [{ ...valid, items: [] }, 'items'],
    [{ ...valid, items: [{ sku: 'TEE-WHT-M', quantity: 0 }] }, 'items.0.quantity'],
    [{ ...valid, items: [{ sku: 'TEE-WHT-M', quantity: 101 }] }, 'items.0.quantity'],
    [{ ...valid, items: [{ sku: 'TEE-WHT-M', quantity: 1.5 }] }, 'items.0.quantity'],
    [{ ...valid, items: [{ sku: 'tee', quantity: 1 }] }, 'items.0.sku'],
    [
      {
        ...valid,
        items: [
          { sku: 'TEE-WHT-M', quantity: 1 },
          { sku: 'TEE-WHT-M', quantity: 1 },
        ],
      },
      'items.1.sku',
    ],
    [{ ...valid, items: [{ sku: 'TEE-WHT-M', quantity: 1, unitPriceCents: 1 }] }, 'items.0.unitPriceCents'],
    [{ ...valid, card: '4242424242424241' }, 'card'],
    [{ ...valid, card: 4242424242424242 }, 'card'],
    [{ ...valid, coupon: 'FREE' }, 'coupon'],
    [{ ...valid, orderId: 'order-1' }, 'orderId'],
    [{ ...valid, orderId: '3b241101-e2bb-4255-8caf-4136c566a962' }, 'orderId'],
  ])('names the bad field of %o: %s', (body, path) => {
    expect(problems(body).map((problem) => problem.path)).toEqual([path]);
  });

  it('never repeats a card number in what it says is wrong', () => {
    const card = '4242424242424241';
    expect(JSON.stringify(problems({ ...valid, card }))).not.toContain(card);
  });
});
