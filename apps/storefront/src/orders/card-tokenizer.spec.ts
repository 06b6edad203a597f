import {
  CHARGED_TOKEN,
  DECLINED_TOKEN,
  DECLINING_CARD,
  isValidCardNumber,
  normalizeCardNumber,
  TEST_CARD,
  tokenizeCard,
} from './card-tokenizer';

describe('card tokenizer', () => {
  it.each([
    [TEST_CARD, true],
    [DECLINING_CARD, true],
    ['5555555555554444', true], // Mastercard test number, 16 digits
    ['378282246310005', true], // Amex test number, 15 digits
    ['4222222222222', true], // 13 digits
    ['4242424242424241', false], // last digit wrong
    ['2424424242424242', false], // two digits swapped
    ['42424242424', false], // 11 digits
    ['42424242424242424242', false], // 20 digits
    ['4242x24242424242', false],
    ['', false],
  ])('%s passes the length and Luhn check: %s', (number, valid) => {
    expect(isValidCardNumber(number)).toBe(valid);
  });

  it('ignores the spaces and dashes people type between groups', () => {
    expect(normalizeCardNumber(' 4242 4242-4242 4242 ')).toBe(TEST_CARD);
  });

  it('gives the declining test card the token that is declined, and the last four digits', () => {
    expect(tokenizeCard('4000 0000 0000 0002')).toEqual({ token: DECLINED_TOKEN, last4: '0002' });
  });

  it('gives any other valid card the token that is charged', () => {
    expect(tokenizeCard(TEST_CARD)).toEqual({ token: CHARGED_TOKEN, last4: '4242' });
    expect(tokenizeCard('5555555555554444')).toEqual({ token: CHARGED_TOKEN, last4: '4444' });
  });

  it('refuses an invalid number without repeating it', () => {
    const number = '4242424242424241';
    expect(() => tokenizeCard(number)).toThrow('not a valid card number');
    try {
      tokenizeCard(number);
    } catch (error) {
      expect(String(error)).not.toContain(number);
    }
  });
});
