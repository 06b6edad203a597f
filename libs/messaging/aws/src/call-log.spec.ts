// The call log on real SDK clients against a stub AWS endpoint on loopback: each call is one line naming the API and
// its resources, written before the request goes out (so a refused call is recorded too), and no body ever.
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { callLogFile, readCallLog } from './call-log';
import { createAwsClients, destroyAwsClients } from './clients';

const SECRET = 'card 4242424242424242';

/** Answers by the JSON protocol's X-Amz-Target; keeps every request body it got. */
async function stubAws(): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
  const bodies: string[] = [];
  const answers: Record<string, { status: number; body: object }> = {
    'AmazonSQS.SendMessageBatch': { status: 200, body: { Successful: [], Failed: [] } },
    'AmazonSQS.GetQueueUrl': { status: 400, body: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no such queue' } },
    'AWSEvents.PutEvents': { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }, { EventId: 'e-2' }] } },
  };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(body);
      const target = String(request.headers['x-amz-target']);
      const answer = answers[target] ?? { status: 400, body: { __type: 'UnknownOperationException', message: target } };
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the AWS call log', () => {
  const saved = { ...process.env };
  let directory: string;
  let stub: Awaited<ReturnType<typeof stubAws>>;

  beforeEach(async () => {
    process.env = { ...saved, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
    directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-call-log-'));
    stub = await stubAws();
  });

  afterEach(async () => {
    process.env = { ...saved };
    await stub.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('records each call with its API and resource names, the refused one too, and never a body', async () => {
    const target = { directory: path.join(directory, 'calls'), service: 'order-service' };
    const clients = createAwsClients({ endpoint: stub.url, region: 'eu-west-1', callLog: target });
    try {
      const queueUrl = `${stub.url}/123456789012/p-payment-service`;
      await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '0', MessageBody: SECRET }] }));
      await expect(clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'p-missing' }))).rejects.toThrow('no such queue');
      await clients.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: 'p-stitch', Source: 'order-service', DetailType: 'order.placed.v1', Detail: JSON.stringify({ note: SECRET }) },
            { Source: 'order-service', DetailType: 'order.placed.v1', Detail: '{}' },
          ],
        }),
      );
    } finally {
      destroyAwsClients(clients);
    }

    expect(await readCallLog(target.directory)).toEqual([
      { service: 'order-service', api: 'sqs:SendMessageBatch', input: { QueueUrl: `${stub.url}/123456789012/p-payment-service` } },
      { service: 'order-service', api: 'sqs:GetQueueUrl', input: { QueueName: 'p-missing' } },
      { service: 'order-service', api: 'events:PutEvents', input: { Entries: [{ EventBusName: 'p-stitch' }, {}] } },
    ]);
    // The secret did go over the wire, and stayed out of the log.
    expect(stub.bodies.filter((body) => body.includes('4242424242424242'))).toHaveLength(2);
    const file = callLogFile(target);
    expect(path.basename(file)).toBe(`order-service-${process.pid}.jsonl`);
    expect(await readFile(file, 'utf8')).not.toContain('4242');
  });

  it('records nothing without a call log', async () => {
    const clients = createAwsClients({ endpoint: stub.url, region: 'eu-west-1' });
    try {
      await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: `${stub.url}/1/q`, Entries: [{ Id: '0', MessageBody: 'x' }] }));
    } finally {
      destroyAwsClients(clients);
    }
    expect(stub.bodies).toHaveLength(1);
    await expect(readCallLog(path.join(directory, 'calls'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a line that is not a recorded call, naming its file and line', async () => {
    const target = { directory, service: 'email-service' };
    const clients = createAwsClients({ endpoint: stub.url, region: 'eu-west-1', callLog: target });
    destroyAwsClients(clients);
    await writeFile(callLogFile(target), '{"service":"email-service"}\n');
    await expect(readCallLog(directory)).rejects.toThrow(
      `call log email-service-${process.pid}.jsonl, line 1: not a recorded call: {"service":"email-service"}`,
    );
  });
});
