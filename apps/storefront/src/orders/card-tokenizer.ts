/**
 * A stand-in for a payment provider's client-side tokenizer (Stripe.js and the like): the card number is
 * exchanged for a token here, at the edge, so only `{ token, last4 }` ever travels in a message and the
 * payment service never sees a card. The simulated provider knows two tokens, like a provider's test mode.
 */

/** Used when an order comes without a card: the provider's standard test card, which is charged. */
export const TEST_CARD = '4242424242424242';
/** The provider's test card that is declined, to show the checkout's compensation path. */
export const DECLINING_CARD = '4000000000000002';

export const CHARGED_TOKEN = 'tok_visa';
export const DECLINED_TOKEN = 'tok_chargeDeclined';

export interface PaymentMethod {
  readonly token: string;
  readonly last4: string;
}

/** People type cards in groups; spaces and dashes between digits are not part of the number. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/** 12 to 19 digits whose Luhn checksum holds (ISO/IEC 7812); catches a mistyped digit or two swapped ones. */
export function isValidCardNumber(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Throws on an invalid number without repeating it, so the number cannot end up in an error or a log. */
export function tokenizeCard(cardNumber: string): PaymentMethod {
  const digits = normalizeCardNumber(cardNumber);
  if (!isValidCardNumber(digits)) throw new Error('not a valid card number');
  return { token: digits === DECLINING_CARD ? DECLINED_TOKEN : CHARGED_TOKEN, last4: digits.slice(-4) };
}
