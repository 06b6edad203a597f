export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  /** Units on hand; 0 for a SKU the catalogue does not have. */
  readonly available: number;
}

export type ReservationDecision =
  | { readonly outcome: 'reserve'; readonly lines: readonly StockLine[] }
  | { readonly outcome: 'short'; readonly shortages: readonly Shortage[]; readonly reason: string };

/** The longest reason the StockReservationFailed contract takes. */
const MAX_REASON_LENGTH = 500;

/** One line per SKU, in SKU order: an order that names a SKU twice asks for the sum. */
export function combineLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * All lines or none: the order's lines are reserved only if every one of them is covered by the stock on
 * hand (`available`, by SKU; a SKU missing from it is unknown). Otherwise nothing is reserved and every line
 * that falls short is named.
 */
export function decideReservation(requested: readonly StockLine[], available: ReadonlyMap<string, number>): ReservationDecision {
  const lines = combineLines(requested);
  const shortages = lines
    .filter((line) => (available.get(line.sku) ?? 0) < line.quantity)
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }));
  if (shortages.length === 0) return { outcome: 'reserve', lines };
  return { outcome: 'short', shortages, reason: describeShortages(shortages, available) };
}

function describeShortages(shortages: readonly Shortage[], available: ReadonlyMap<string, number>): string {
  const parts = shortages.map((shortage) =>
    available.has(shortage.sku)
      ? `${shortage.sku} (requested ${shortage.requested}, available ${shortage.available})`
      : `${shortage.sku} (unknown SKU)`,
  );
  const reason = `Not enough stock: ${parts.join('; ')}`;
  return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
