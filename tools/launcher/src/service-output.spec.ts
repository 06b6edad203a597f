import { readServiceLine, worthShowing } from './service-output';

describe('readServiceLine', () => {
  it('reads pino lines by level, with the error message when the text lacks it', () => {
    const line = JSON.stringify({ level: 50, service: 'order-service', msg: 'handler failed', err: { message: 'user unknown' } });
    expect(readServiceLine(line, 'stdout')).toEqual({ level: 'error', text: 'handler failed: user unknown' });
    expect(readServiceLine(JSON.stringify({ level: 40, msg: 'slow' }), 'stdout')).toEqual({ level: 'warn', text: 'slow' });
    expect(readServiceLine(JSON.stringify({ level: 30, msg: 'listening' }), 'stdout')).toEqual({ level: 'info', text: 'listening' });
  });

  it('counts anything on stderr that is not a log line as an error, and skips blank lines', () => {
    expect(readServiceLine('Invalid service configuration: PORT: Too big', 'stderr')).toEqual({
      level: 'error',
      text: 'Invalid service configuration: PORT: Too big',
    });
    expect(readServiceLine('{ not json', 'stdout')).toEqual({ level: 'info', text: '{ not json' });
    expect(readServiceLine('   ', 'stdout')).toBeUndefined();
  });

  it('shows warnings and errors only', () => {
    expect(worthShowing({ level: 'warn', text: '' })).toBe(true);
    expect(worthShowing({ level: 'fatal', text: '' })).toBe(true);
    expect(worthShowing({ level: 'info', text: '' })).toBe(false);
  });
});
