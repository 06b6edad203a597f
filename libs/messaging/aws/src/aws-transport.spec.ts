import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { conformanceTopology } from '../test/topology';
import { StartupError } from '@stitch/messaging-core';
import { AwsTransport } from './aws-transport';
import type { AwsClients } from './clients';

type Call = { command: string; input: Record<string, unknown> };
type Responder = (input: Record<string, unknown>) => unknown;

/** Records every call and answers from `responders` by command name; nothing goes over the network. */
function fakeClients(responders: Record<string, Responder> = {}, missing: readonly string[] = []) {
  const calls: Call[] = [];
  const defaults: Record<string, Responder> = {
    GetQueueUrlCommand: (input) => {
      if (missing.includes(input.QueueName as string)) throw Object.assign(new Error('no queue'), { name: 'QueueDoesNotExist' });
      return { QueueUrl: `https://sqs/${input.QueueName}` };
    },
    DescribeEventBusCommand: () => ({}),
    DescribeRuleCommand: (input) => {
      if (missing.includes(`rule ${input.Name}`)) throw Object.assign(new Error('no rule'), { name: 'ResourceNotFoundException' });
      return {};
    },
    ListTargetsByRuleCommand: (input) => {
      const prefix = (input.EventBusName as string).replace(/stitch$/, '');
      return { Targets: [{ Id: 'stitch-queue', Arn: `arn:aws:sqs:eu-west-1:1:${prefix}${input.Rule}-events` }] };
    },
    PutEventsCommand: (input) => ({ FailedEntryCount: 0, Entries: (input.Entries as unknown[]).map(() => ({ EventId: 'e' })) }),
    SendMessageBatchCommand: () => ({ Successful: [], Failed: [] }),
    SendMessageCommand: () => ({ MessageId: 'dlq-message' }),
    DeleteMessageBatchCommand: () => ({ Successful: [], Failed: [] }),
    ChangeMessageVisibilityCommand: () => ({}),
    ChangeMessageVisibilityBatchCommand: () => ({ Successful: [], Failed: [] }),
    ReceiveMessageCommand: () => new Promise(() => undefined),
  };
  const client = {
    send: jest.fn(
      async (command: { constructor: { name: string }; input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) => {
        const name = command.constructor.name;
        calls.push({ command: name, input: command.input });
        const respond = responders[name] ?? defaults[name];
        if (!respond) throw new Error(`unexpected ${name}`);
        if (name === 'ReceiveMessageCommand' && !responders[name]) {
          return new Promise((_, reject) =>
            options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))),
          );
        }
        return respond(command.input);
      },
    ),
    destroy: jest.fn(),
  };
  const clients: AwsClients = { sqs: client as unknown as SQSClient, eventBridge: client as unknown as EventBridgeClient };
  const of = (name: string) => calls.filter((call) => call.command === name).map((call) => call.input);
  return { clients, calls, of };
}

const outgoing = (n: number, type = 'alpha.thing-happened.v1') => ({
  messageId: `m-${n}`,
  type,
  correlationId: 'c',
  body: JSON.stringify({
    specversion: '1.0',
    id: `m-${n}`,
    source: '/stitch/alpha',
    type,
    time: '2026-11-22T10:00:00.000Z',
    datacontenttype: 'application/json',
    kind: 'event',
    correlationid: 'c',
    causationid: 'c',
    data: { n },
  }),
});

describe('AwsTransport', () => {
  it('fails to start naming every missing entity and how to create it, with its prefix', async () => {
    const fake = fakeClients({}, ['p-alpha', 'p-flow', 'rule beta']);
    const transport = new AwsTransport({
      topology: conformanceTopology,
      clients: fake.clients,
      prefix: 'p',
      endpoint: 'http://127.0.0.1:5000',
    });
    const error = await transport.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe(
      'AWS topology missing: queue p-alpha, queue p-flow and rule beta on p-stitch do not exist at http://127.0.0.1:5000 — create them with: STITCH_PREFIX=p npm run topology:aws -- --apply',
    );
  });

  it('names one missing entity, and keeps a long list to its first three', async () => {
    const one = new AwsTransport({ topology: conformanceTopology, clients: fakeClients({}, ['alpha']).clients, region: 'eu-west-1' });
    await expect(one.start()).rejects.toThrow(
      'AWS topology missing: queue alpha does not exist at AWS (eu-west-1) — create it with: npm run topology:aws -- --apply',
    );
    const queues = ['alpha', 'alpha-dlq', 'beta-events', 'beta-events-dlq', 'flow'];
    const many = new AwsTransport({ topology: conformanceTopology, clients: fakeClients({}, queues).clients });
    await expect(many.start()).rejects.toThrow(
      'AWS topology missing: queue alpha, queue alpha-dlq, queue beta-events and 2 more do not exist at AWS — create them with',
    );
  });

  it.each([
    [
      'an endpoint that refuses connections',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 1 }),
      'cannot reach the AWS API at http://127.0.0.1:1 (connection refused): is the emulator running? Start it (e.g. moto_server -H 127.0.0.1 -p 5000) or correct AWS_ENDPOINT_URL',
      'http://127.0.0.1:1',
    ],
    [
      'a region whose endpoint does not resolve',
      Object.assign(new Error('getaddrinfo ENOTFOUND sqs.xx-nowhere-1.amazonaws.com'), {
        code: 'ENOTFOUND',
        hostname: 'sqs.xx-nowhere-1.amazonaws.com',
      }),
      'cannot reach the AWS API at https://sqs.xx-nowhere-1.amazonaws.com (host name does not resolve): check AWS_REGION and that this network reaches AWS',
      undefined,
    ],
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'AWS credentials not found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      undefined,
    ],
    [
      'credentials AWS refuses',
      Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' }),
      "AWS at AWS (eu-west-1) refused the request (InvalidClientTokenId): check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and the service's permissions (libs/messaging/aws/README.md)",
      undefined,
    ],
  ])('fails to start with one line for %s', async (_case, failure, line, endpoint) => {
    const fake = fakeClients({
      GetQueueUrlCommand: () => {
        throw failure;
      },
    });
    const transport = new AwsTransport({
      topology: conformanceTopology,
      clients: fake.clients,
      region: 'eu-west-1',
      ...(endpoint ? { endpoint } : {}),
    });
    const error = await transport.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe(line);
    expect((error as Error).cause).toBe(failure);
  });

  it('gives up on an endpoint that never answers after startTimeoutMs, and lets go of its clients', async () => {
    const fake = fakeClients({ GetQueueUrlCommand: () => new Promise(() => undefined) });
    const transport = new AwsTransport({
      topology: conformanceTopology,
      clients: fake.clients,
      endpoint: 'http://127.0.0.1:5000',
      startTimeoutMs: 200,
    });
    await expect(transport.start()).rejects.toThrow(
      'cannot reach the AWS API at http://127.0.0.1:5000 (no answer within 0.2 s, MESSAGING_START_TIMEOUT_MS): is the emulator running?',
    );
    expect(fake.clients.sqs.destroy).toHaveBeenCalled();
  });

  it('checks only its own rule when it knows its service', async () => {
    const fake = fakeClients({}, ['rule beta']);
    const transport = new AwsTransport({ topology: conformanceTopology, clients: fake.clients, service: 'gamma' });
    await transport.start();
    expect(fake.of('DescribeRuleCommand')).toEqual([{ Name: 'gamma', EventBusName: 'stitch' }]);
    await transport.close();
    expect(fake.clients.sqs.destroy).toHaveBeenCalled();
  });

  it('publishes events in PutEvents calls of at most ten entries, to the bus', async () => {
    const fake = fakeClients();
    const transport = new AwsTransport({ topology: conformanceTopology, clients: fake.clients });
    await transport.start();
    await transport.send(
      { kind: 'topic', name: 'events' },
      Array.from({ length: 23 }, (_, n) => outgoing(n)),
    );
    const puts = fake.of('PutEventsCommand');
    expect(puts.map((put) => (put.Entries as unknown[]).length)).toEqual([10, 10, 3]);
    expect((puts[0]?.Entries as Record<string, string>[])[0]).toEqual({
      EventBusName: 'stitch',
      Source: '/stitch/alpha',
      DetailType: 'alpha.thing-happened.v1',
      Detail: outgoing(0).body,
    });
    await transport.close();
  });

  it('after a partial PutEvents failure sends again only the entries that failed', async () => {
    let first = true;
    const fake = fakeClients({
      PutEventsCommand: (input) => {
        const entries = input.Entries as unknown[];
        if (!first) return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) };
        first = false;
        return {
          FailedEntryCount: 2,
          Entries: entries.map((_, i) =>
            i === 1 || i === 4 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: 'e' },
          ),
        };
      },
    });
    const transport = new AwsTransport({ topology: conformanceTopology, clients: fake.clients });
    await transport.start();
    await transport.send(
      { kind: 'topic', name: 'events' },
      Array.from({ length: 6 }, (_, n) => outgoing(n)),
    );
    const retried = (fake.of('PutEventsCommand')[1]?.Entries as { Detail: string }[]).map((entry) => JSON.parse(entry.Detail).id);
    expect(retried).toEqual(['m-1', 'm-4']);
    await transport.close();
  });

  it('sends commands with SendMessageBatch, ten at a time, delayed in seconds, and refuses a topic or queue outside the topology', async () => {
    const fake = fakeClients();
    const transport = new AwsTransport({ topology: conformanceTopology, clients: fake.clients });
    await transport.start();
    const commands = Array.from({ length: 12 }, (_, n) => ({ ...outgoing(n, 'alpha.do-work.v1'), notBefore: Date.now() + 2_500 }));
    await transport.send({ kind: 'queue', name: 'alpha' }, commands);
    const batches = fake.of('SendMessageBatchCommand');
    expect(batches.map((batch) => [batch.QueueUrl, (batch.Entries as unknown[]).length])).toEqual([
      ['https://sqs/alpha', 10],
      ['https://sqs/alpha', 2],
    ]);
    expect((batches[0]?.Entries as { DelaySeconds: number }[])[0]?.DelaySeconds).toBe(3);
    await expect(transport.send({ kind: 'queue', name: 'beta' }, commands)).rejects.toThrow(
      'AWS transport: queue beta is not in the topology',
    );
    await expect(transport.send({ kind: 'topic', name: 'other' }, commands)).rejects.toThrow(
      'AWS transport: topic other is not in the topology',
    );
    await transport.close();
  });

  describe('settling a delivery', () => {
    const message = (id: string): Message => ({
      MessageId: `sqs-${id}`,
      ReceiptHandle: `receipt-${id}`,
      Body: outgoing(1, 'alpha.do-work.v1').body,
      Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1' },
      MessageAttributes: { 'stitch-message-id': { DataType: 'String', StringValue: id } },
    });

    async function deliver(settle: (delivery: import('@stitch/messaging-core').Delivery) => Promise<void>) {
      let handed = false;
      const fake = fakeClients({
        ReceiveMessageCommand: () => {
          if (handed) return new Promise(() => undefined);
          handed = true;
          return { Messages: [message('m-1')] };
        },
      });
      const transport = new AwsTransport({ topology: conformanceTopology, clients: fake.clients });
      await transport.start();
      const seen: number[] = [];
      const done = new Promise<void>((resolve) => {
        void transport.receive(
          { kind: 'queue', name: 'alpha' },
          async (delivery) => {
            seen.push(delivery.attempt);
            await settle(delivery);
            resolve();
          },
          { concurrency: 4, lockMs: 30_000 },
        );
      });
      await done;
      // Let the receiver finish its bookkeeping, then stop it; a pending poll is aborted.
      await new Promise((resolve) => setImmediate(resolve));
      fake.clients.sqs.send = jest.fn(async () => ({})) as never;
      return { fake, seen, transport };
    }

    it('receives with the lock as visibility, counts attempts from ApproximateReceiveCount, and deletes on complete', async () => {
      const { fake, seen } = await deliver((delivery) => delivery.complete());
      expect(seen).toEqual([3]);
      expect(fake.of('ReceiveMessageCommand')[0]).toMatchObject({
        QueueUrl: 'https://sqs/alpha',
        VisibilityTimeout: 30,
        WaitTimeSeconds: 15,
        MaxNumberOfMessages: 4,
      });
      expect(fake.of('DeleteMessageBatchCommand')).toEqual([
        { QueueUrl: 'https://sqs/alpha', Entries: [{ Id: '0', ReceiptHandle: 'receipt-m-1' }] },
      ]);
    });

    it('makes a retried message visible again after the backoff, in whole seconds', async () => {
      const { fake } = await deliver((delivery) => delivery.retryLater(1_200));
      expect(fake.of('ChangeMessageVisibilityCommand')).toEqual([
        { QueueUrl: 'https://sqs/alpha', ReceiptHandle: 'receipt-m-1', VisibilityTimeout: 2 },
      ]);
      expect(fake.of('DeleteMessageBatchCommand')).toEqual([]);
    });

    it('dead-letters by sending to the dead-letter queue with the reason, then deleting', async () => {
      const { fake } = await deliver((delivery) => delivery.deadLetter('Error: boom', 'failed on attempt 3 of 3'));
      const sent = fake.of('SendMessageCommand');
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ QueueUrl: 'https://sqs/alpha-dlq', MessageBody: outgoing(1, 'alpha.do-work.v1').body });
      const attributes = sent[0]?.MessageAttributes as Record<string, { StringValue: string }>;
      expect(attributes['stitch-dead-letter-reason']?.StringValue).toBe('Error: boom');
      expect(attributes['stitch-dead-letter-attempts']?.StringValue).toBe('3');
      expect(attributes['stitch-message-id']?.StringValue).toBe('m-1');
      const order = fake.calls
        .map((call) => call.command)
        .filter((name) => name === 'SendMessageCommand' || name === 'DeleteMessageBatchCommand');
      expect(order).toEqual(['SendMessageCommand', 'DeleteMessageBatchCommand']);
    });

    it('refuses a second settle', async () => {
      await deliver(async (delivery) => {
        await delivery.complete();
        await expect(delivery.retryLater(1_000)).rejects.toThrow(/already settled/);
      });
    });
  });
});
