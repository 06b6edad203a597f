// The call log on a real AWS API (moto, TEST_AWS_ENDPOINT_URL; see test/emulator.ts): what a service's clients did
// to a queue and a bus, one line a call, with the resource each call named and none of the message bodies.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateEventBusCommand, DeleteEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { testAws } from '../test/emulator';
import { callLogFile, readCallLog } from './call-log';
import { createAwsClients, destroyAwsClients } from './clients';

const { settings, skipReason } = testAws();
if (skipReason) process.stdout.write(`SKIPPED AWS call log on an emulator: ${skipReason}\n`);

(skipReason ? describe.skip : describe)('the AWS call log on an emulator', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-call-log-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('records every call a service makes on SQS and EventBridge, with its resource and without bodies', async () => {
    const prefix = `calls-${randomBytes(3).toString('hex')}`;
    const queue = `${prefix}-order-service`;
    const bus = `${prefix}-stitch`;
    const body = `secret body ${randomBytes(8).toString('hex')}`;
    const target = { directory, service: 'order-service' };
    const clients = createAwsClients({ ...settings, callLog: target });
    let queueUrl = '';
    try {
      queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl ?? '';
      await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '0', MessageBody: body }] }));
      const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      expect(Messages.map((message) => message.Body)).toEqual([body]);
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: `${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      await clients.eventBridge.send(new CreateEventBusCommand({ Name: bus }));
      await clients.eventBridge.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: bus, Source: 'order-service', DetailType: 'order.placed.v1', Detail: JSON.stringify({ body }) }],
        }),
      );
    } finally {
      await clients.eventBridge.send(new DeleteEventBusCommand({ Name: bus })).catch(() => undefined);
      if (queueUrl) await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      destroyAwsClients(clients);
    }

    const calls = await readCallLog(directory);
    expect(calls.map(({ service, api, input }) => ({ service, api, input }))).toEqual([
      { service: 'order-service', api: 'sqs:CreateQueue', input: { QueueName: queue } },
      { service: 'order-service', api: 'sqs:GetQueueUrl', input: { QueueName: queue } },
      { service: 'order-service', api: 'sqs:SendMessageBatch', input: { QueueUrl: queueUrl } },
      { service: 'order-service', api: 'sqs:ReceiveMessage', input: { QueueUrl: queueUrl } },
      { service: 'order-service', api: 'sqs:DeleteMessageBatch', input: { QueueUrl: queueUrl } },
      { service: 'order-service', api: 'events:CreateEventBus', input: { Name: bus } },
      { service: 'order-service', api: 'events:PutEvents', input: { Entries: [{ EventBusName: bus }] } },
      { service: 'order-service', api: 'events:DeleteEventBus', input: { Name: bus } },
      { service: 'order-service', api: 'sqs:DeleteQueue', input: { QueueUrl: queueUrl } },
    ]);
    expect(await readFile(callLogFile(target), 'utf8')).not.toContain(body);
  });
});
