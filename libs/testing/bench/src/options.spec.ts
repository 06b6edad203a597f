import { wholeNumberOptions } from './options';

describe('wholeNumberOptions', () => {
  it('returns the counts when each is a positive whole number', () => {
    expect(wholeNumberOptions({ messages: 500, seconds: 3 })).toEqual({ messages: 500, seconds: 3 });
  });

  it.each([
    ['not a number', Number('abc')],
    ['zero', 0],
    ['negative', -2],
    ['fractional', 1.5],
  ])('names the option that is %s', (_case, value) => {
    expect(() => wholeNumberOptions({ messages: 500, seconds: value })).toThrow('--seconds must be a positive whole number');
  });
});
