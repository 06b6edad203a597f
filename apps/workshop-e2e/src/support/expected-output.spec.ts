import { containsExpected, matchesExpected } from './expected-output';
import { parseStartCommand } from './lab-shop';

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

describe("a lab's start command", () => {
  it('gives the environment and the launcher flags', () => {
    expect(parseStartCommand('ORDER_TIMEOUT_MS=10000 A_B=1 npm start -- --fresh --scale email-service=3')).toEqual({
      env: { ORDER_TIMEOUT_MS: '10000', A_B: '1' },
      args: ['--fresh', '--scale', 'email-service=3'],
    });
    expect(parseStartCommand('npm start')).toEqual({ env: {}, args: [] });
    expect(parseStartCommand('npm start -- \\\n  --fresh')).toEqual({ env: {}, args: ['--fresh'] });
  });

  it('refuses anything else, naming it', () => {
    expect(() => parseStartCommand('npm run dlq -- list')).toThrow('"npm run dlq -- list" is not a start command');
    expect(() => parseStartCommand('npm start --fresh')).toThrow('the launcher\'s flags come after "npm start --"');
  });
});
