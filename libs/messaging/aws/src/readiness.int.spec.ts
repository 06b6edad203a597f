// Readiness on a real AWS API (moto, TEST_AWS_ENDPOINT_URL; see test/emulator.ts): a running transport is ready
// while its service's entities exist, and says which one is gone when one is deleted under it.
import { randomBytes } from 'node:crypto';
import { DeleteQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { shopCatalogue } from '@stitch/contracts';
import { testAws } from '../test/emulator';
import { AwsTransport } from './aws-transport';
import { createAwsClients, destroyAwsClients } from './clients';
import { awsEntities } from './entities';
import { applyTopology, deleteTopology } from './provision';

const { settings, skipReason } = testAws();
if (skipReason) process.stdout.write(`SKIPPED AWS readiness on an emulator: ${skipReason}\n`);

(skipReason ? describe.skip : describe)('AwsTransport.checkReady', () => {
  const prefix = `ready-${randomBytes(3).toString('hex')}`;
  const entities = awsEntities(shopCatalogue.topology(), prefix);
  const admin = createAwsClients(settings);

  afterAll(async () => {
    await deleteTopology(admin, entities);
    destroyAwsClients(admin);
  });

  it('is ready while the service’s queues, bus and rule exist, and names the queue deleted under it', async () => {
    await applyTopology(admin, entities);
    const transport = new AwsTransport({
      topology: shopCatalogue.topology(),
      clients: createAwsClients(settings),
      prefix,
      service: 'order-service',
    });
    await transport.start();
    try {
      await expect(transport.checkReady()).resolves.toBeUndefined();
      const { QueueUrl } = await admin.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-order-service` }));
      await admin.sqs.send(new DeleteQueueCommand({ QueueUrl }));
      await expect(transport.checkReady()).rejects.toThrow(`missing: queue ${prefix}-order-service`);
    } finally {
      await transport.close();
    }
  });
});
