import { spawnSync } from 'node:child_process';
import path from 'node:path';

function start(env: Record<string, string>) {
  const app = path.join(__dirname, '../../test/payment-app.ts');
  const result = spawnSync(process.execPath, ['--require', '@swc-node/register', app], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, lines: result.stderr.trim().split('\n').filter(Boolean) };
}

describe('bootstrapService', () => {
  it.each([
    [{ MESSAGING_CONCURRENCY: 'zero' }, 'Invalid messaging configuration: MESSAGING_CONCURRENCY: Invalid input: expected number, received NaN'],
    [{ MESSAGING_TRANSPORT: 'kafka' }, 'Invalid messaging configuration: MESSAGING_TRANSPORT: Invalid option: expected one of "local"|"azure"|"aws"'],
    [{ MESSAGING_TRANSPORT: 'aws' }, 'MESSAGING_TRANSPORT=aws is not available to payment-service (available: local)'],
    [{ PORT: '70000' }, 'Invalid service configuration: PORT: Too big: expected number to be <=65535'],
  ])('stops on a bad setting with one line naming it (%o)', (env, line) => {
    const { status, lines } = start(env);
    expect(status).toBe(1);
    expect(lines).toEqual([line]);
  });
});
