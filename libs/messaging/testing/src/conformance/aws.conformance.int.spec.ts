// The conformance suite on SQS + EventBridge, through a real AWS API: an emulator (moto server, LocalStack)
// named by CONFORMANCE_AWS_ENDPOINT_URL, or, with the value `aws`, the account of the default credential chain.
// Each test gets a fresh name prefix with its own topology, deleted afterwards. Locally:
//   python3 -m venv /tmp/moto && /tmp/moto/bin/pip install 'moto[server]==5.2.5'
//   /tmp/moto/bin/moto_server -H 127.0.0.1 -p 5055 &
//   CONFORMANCE_AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx nx run messaging-testing:int-test
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { applyTopology, awsEntities, createAwsClients, deleteTopology, destroyAwsClients } from '@stitch/messaging-aws';
import { conformanceCatalogue } from '../conformance-catalogue';
import { describeTransportConformance } from '../conformance-suite';
import type { AwsConformanceParams } from './aws.transport-module';

const setting = process.env.CONFORMANCE_AWS_ENDPOINT_URL;
const endpoint = setting && setting !== 'aws' ? setting : undefined;
const region = process.env.AWS_REGION ?? (endpoint ? 'us-east-1' : undefined);
const run = `c${randomBytes(3).toString('hex')}`;
const prefixes: string[] = [];

/** Whether something answers at the endpoint; checked once, synchronously, as jest collects tests. */
function unreachable(url: string): string | undefined {
  const probe = spawnSync(
    process.execPath,
    ['-e', `fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then(() => process.exit(0), (e) => { console.log(e.cause?.code ?? e.message); process.exit(1); })`, url],
    { encoding: 'utf8', timeout: 5_000 },
  );
  return probe.status === 0 ? undefined : `no AWS API emulator answers at ${url} (${probe.stdout.trim() || 'timeout'})`;
}

function skipReason(): string | undefined {
  if (!setting) return 'CONFORMANCE_AWS_ENDPOINT_URL is not set (the URL of an AWS API emulator such as moto_server, or "aws" for a real account)';
  if (!region) return 'AWS_REGION is not set';
  return endpoint ? unreachable(endpoint) : undefined;
}

const reason = skipReason();
const settings = { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };

describeTransportConformance({
  name: 'aws',
  ...(reason ? { skipReason: reason } : {}),
  transportModule: path.join(__dirname, 'aws.transport-module.ts'),
  isolate: async (testName) => {
    const prefix = `${run}-${testName}`;
    const clients = createAwsClients(settings);
    try {
      await applyTopology(clients, awsEntities(conformanceCatalogue.topology(), prefix));
    } finally {
      destroyAwsClients(clients);
    }
    prefixes.push(prefix);
    const params: AwsConformanceParams = { ...settings, region: region as string, prefix };
    return params;
  },
  cleanup: async () => {
    const clients = createAwsClients(settings);
    try {
      for (const prefix of prefixes.splice(0)) await deleteTopology(clients, awsEntities(conformanceCatalogue.topology(), prefix));
    } finally {
      destroyAwsClients(clients);
    }
  },
});
