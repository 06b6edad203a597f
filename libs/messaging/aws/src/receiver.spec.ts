import { afterHandler, receiveWaitSeconds, visibilitySeconds } from './receiver';

describe('receiver timing', () => {
  it('rounds locks and retry delays up to whole seconds, within what SQS allows', () => {
    expect(visibilitySeconds(0)).toBe(0);
    expect(visibilitySeconds(1)).toBe(1);
    expect(visibilitySeconds(1_000)).toBe(1);
    expect(visibilitySeconds(1_001)).toBe(2);
    expect(visibilitySeconds(30_000)).toBe(30);
    expect(visibilitySeconds(100 * 3_600_000)).toBe(43_200);
  });

  it('long-polls, but never beyond half a lock, and at least a second', () => {
    expect(receiveWaitSeconds(30_000)).toBe(15);
    expect(receiveWaitSeconds(120_000)).toBe(20);
    expect(receiveWaitSeconds(1_000)).toBe(1);
  });
});

describe('after the handler', () => {
  it('leaves a settled delivery alone', () => {
    expect(afterHandler(true, false)).toBe('nothing');
    expect(afterHandler(true, true)).toBe('nothing');
  });

  it('releases at once a delivery whose handler threw without settling', () => {
    expect(afterHandler(false, true)).toBe('release');
  });

  it('leaves locked, as SQS would, a delivery whose handler returned without settling', () => {
    expect(afterHandler(false, false)).toBe('leave-locked');
  });
});
