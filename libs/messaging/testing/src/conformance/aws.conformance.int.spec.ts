// The conformance suite on SQS + EventBridge, through a real AWS API: an emulator (moto server, LocalStack)
// named by TEST_AWS_ENDPOINT_URL, or, with the value `aws`, the account of the default credential chain.
// Each test gets a fresh name prefix with its own topology, deleted afterwards. Locally:
//   python3 -m venv /tmp/moto && /tmp/moto/bin/pip install 'moto[server]==5.2.5'
//   /tmp/moto/bin/moto_server -H 127.0.0.1 -p 5055 &
//   TEST_AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx nx run messaging-testing:int-test
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { applyTopology, awsEntities, createAwsClients, deleteTopology, destroyAwsClients } from '@stitch/messaging-aws';
import { testAws } from '@stitch/messaging-aws/test/emulator';
import { conformanceCatalogue } from '../conformance-catalogue';
import { describeTransportConformance } from '../conformance-suite';
import type { AwsConformanceParams } from './aws.transport-module';

const { settings, skipReason } = testAws();
const run = `c${randomBytes(3).toString('hex')}`;
const prefixes: string[] = [];

describeTransportConformance({
  name: 'aws',
  ...(skipReason ? { skipReason } : {}),
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
    const params: AwsConformanceParams = { ...settings, region: settings.region as string, prefix };
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
