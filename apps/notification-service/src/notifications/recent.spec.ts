import { Recent } from './recent';

describe('Recent', () => {
  it('forgets the least recently set entry beyond its capacity', () => {
    const recent = new Recent<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('a', 3);
    recent.set('c', 4);
    expect(recent.has('b')).toBe(false);
    expect(recent.get('a')).toBe(3);
    expect(recent.get('c')).toBe(4);
    expect(recent.size).toBe(2);
  });

  it('needs room for at least one entry', () => {
    expect(() => new Recent(0)).toThrow(/capacity/);
  });
});
