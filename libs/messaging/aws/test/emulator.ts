import { spawnSync } from 'node:child_process';
import type { AwsClientSettings } from '../src';

/**
 * The AWS API the int tests use: TEST_AWS_ENDPOINT_URL names an emulator (moto server, LocalStack), or is `aws`
 * for the account of the default credential chain. Read once, synchronously, as jest collects the tests.
 */
export function testAws(): { settings: AwsClientSettings; skipReason?: string } {
  const setting = process.env.TEST_AWS_ENDPOINT_URL;
  const endpoint = setting && setting !== 'aws' ? setting : undefined;
  const region = process.env.AWS_REGION ?? (endpoint ? 'us-east-1' : undefined);
  const settings = { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
  if (!setting)
    return {
      settings,
      skipReason: 'TEST_AWS_ENDPOINT_URL is not set (the URL of an AWS API emulator such as moto_server, or "aws" for a real account)',
    };
  if (!region) return { settings, skipReason: 'AWS_REGION is not set' };
  if (!endpoint) return { settings };
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then(() => process.exit(0), (e) => { console.log(e.cause?.code ?? e.message); process.exit(1); })',
      endpoint,
    ],
    { encoding: 'utf8', timeout: 5_000 },
  );
  return probe.status === 0
    ? { settings }
    : { settings, skipReason: `no AWS API emulator answers at ${endpoint} (${probe.stdout.trim() || 'timeout'})` };
}
