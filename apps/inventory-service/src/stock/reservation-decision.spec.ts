import { combineLines, decideReservation } from './reservation-decision';

const stock = new Map([
  ['TEE-WHT-M', 10],
  ['SCARF-LTD', 3],
  ['CAP-NVY', 0],
]);

describe('decideReservation', () => {
  it('reserves every line when the stock covers all of them', () => {
    expect(
      decideReservation(
        [
          { sku: 'TEE-WHT-M', quantity: 10 },
          { sku: 'SCARF-LTD', quantity: 1 },
        ],
        stock,
      ),
    ).toEqual({
      outcome: 'reserve',
      lines: [
        { sku: 'SCARF-LTD', quantity: 1 },
        { sku: 'TEE-WHT-M', quantity: 10 },
      ],
    });
  });

  it('reserves nothing when one line falls short, and names only that line', () => {
    const decision = decideReservation(
      [
        { sku: 'TEE-WHT-M', quantity: 2 },
        { sku: 'SCARF-LTD', quantity: 4 },
      ],
      stock,
    );
    expect(decision).toEqual({
      outcome: 'short',
      shortages: [{ sku: 'SCARF-LTD', requested: 4, available: 3 }],
      reason: 'Not enough stock: SCARF-LTD (requested 4, available 3)',
    });
  });

  it('counts an unknown SKU as a shortage with nothing available', () => {
    const decision = decideReservation([{ sku: 'NOPE-1', quantity: 1 }], stock);
    expect(decision).toEqual({
      outcome: 'short',
      shortages: [{ sku: 'NOPE-1', requested: 1, available: 0 }],
      reason: 'Not enough stock: NOPE-1 (unknown SKU)',
    });
  });

  it('treats a sold-out item as a shortage', () => {
    expect(decideReservation([{ sku: 'CAP-NVY', quantity: 1 }], stock)).toMatchObject({
      outcome: 'short',
      shortages: [{ sku: 'CAP-NVY', requested: 1, available: 0 }],
    });
  });

  it('adds up a SKU named twice before comparing it with the stock', () => {
    expect(
      decideReservation(
        [
          { sku: 'SCARF-LTD', quantity: 2 },
          { sku: 'SCARF-LTD', quantity: 2 },
        ],
        stock,
      ),
    ).toMatchObject({
      outcome: 'short',
      shortages: [{ sku: 'SCARF-LTD', requested: 4, available: 3 }],
    });
  });

  it('keeps the reason within what the contract takes, however many lines fall short', () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({ sku: `UNKNOWN-SKU-NUMBER-${i}`, quantity: 1 }));
    const decision = decideReservation(lines, stock);
    expect(decision.outcome).toBe('short');
    if (decision.outcome === 'short') {
      expect(decision.shortages).toHaveLength(50);
      expect(decision.reason.length).toBeLessThanOrEqual(500);
    }
  });
});

describe('combineLines', () => {
  it('gives one line per SKU, in SKU order', () => {
    expect(
      combineLines([
        { sku: 'TEE-WHT-M', quantity: 1 },
        { sku: 'CAP-NVY', quantity: 2 },
        { sku: 'TEE-WHT-M', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'CAP-NVY', quantity: 2 },
      { sku: 'TEE-WHT-M', quantity: 4 },
    ]);
  });
});
