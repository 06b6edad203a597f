import { containsExpected, matchesExpected } from './expected-output';

describe('a command output compared with the one a lab shows', () => {
  it('matches exactly, with … standing for what changes from run to run', () => {
    expect(matchesExpected('{"orderId":"01a2-77","status":"pending"}\n', '{"orderId":"…","status":"pending"}')).toBe(true);
    expect(matchesExpected('{"orderId":"01a2-77","status":"confirmed"}', '{"orderId":"…","status":"pending"}')).toBe(false);
    expect(matchesExpected('a (b) [c] 3.5 *', 'a (b) [c] 3.5 *')).toBe(true);
  });

  it('lets … stand for text within one line only', () => {
    expect(matchesExpected('one\ntwo\nthree', 'one…three')).toBe(false);
    expect(matchesExpected('one\ntwo', 'one\n…')).toBe(true);
  });

  it('finds the lab’s lines, in order, among other lines', () => {
    const output = '\n> stitch@0.1.0 dlq\n> node tools/dlq\n\nreplayed 1 dead letter (queue payment-service: 1)\n';
    expect(containsExpected(output, 'replayed 1 dead letter (queue …: 1)')).toBe(true);
    expect(containsExpected(output, 'replayed 2 dead letters…')).toBe(false);
  });
});
