import { resumeAfter } from './notifications.controller';

describe('resumeAfter (Last-Event-ID)', () => {
  it('resumes after the seq a browser sends', () => {
    expect(resumeAfter('42')).toBe(42n);
    expect(resumeAfter(' 7 ')).toBe(7n);
    expect(resumeAfter('0')).toBe(0n);
  });

  it('goes live for no id or one that is not a seq, rather than refusing a reconnecting browser', () => {
    for (const id of [undefined, '', 'a9b8c7d6-1e2f-4a3b-8c4d-5e6f7a8b9c0d', '-1', '1.5', '9'.repeat(30)])
      expect(resumeAfter(id)).toBeUndefined();
  });
});
