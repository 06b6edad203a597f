import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@stitch/shop-testing';
import { AwsProxy } from './aws-proxy';

describe('AwsProxy', () => {
  let upstream: http.Server;
  let received: Array<{ target: string; body: string }>;
  let proxy: AwsProxy;

  beforeEach(async () => {
    received = [];
    upstream = http.createServer(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += String(chunk);
      received.push({ target: String(request.headers['x-amz-target']), body });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ n: received.length }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    proxy = await AwsProxy.start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });

  afterEach(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const call = (target: string, body = '{"QueueUrl":"q"}') =>
    fetch(proxy.url, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' }, body });

  it('forwards calls as they are', async () => {
    const answer = await call('AmazonSQS.SendMessage');
    expect(await answer.json()).toEqual({ n: 1 });
    expect(received).toEqual([{ target: 'AmazonSQS.SendMessage', body: '{"QueueUrl":"q"}' }]);
  });

  it('sends every send and publish twice when duplicating, and answers with the first answer', async () => {
    proxy.setMode('duplicate');
    for (const target of ['AmazonSQS.SendMessage', 'AmazonSQS.SendMessageBatch', 'AWSEvents.PutEvents', 'AmazonSQS.ReceiveMessage']) {
      await call(target);
    }
    expect(received.map((call) => call.target)).toEqual([
      'AmazonSQS.SendMessage',
      'AmazonSQS.SendMessage',
      'AmazonSQS.SendMessageBatch',
      'AmazonSQS.SendMessageBatch',
      'AWSEvents.PutEvents',
      'AWSEvents.PutEvents',
      'AmazonSQS.ReceiveMessage',
    ]);
    expect(proxy.duplicated).toBe(3);
  });

  describe('what each client port received and deleted', () => {
    /** Answers receives with `messages` and deletes as `deleteAnswer` says, once `deletesAnswer` lets it. */
    let messages: Array<{ MessageId: string; ReceiptHandle: string; Body: string }>;
    let failing: Set<string>;
    let deletesAnswer: Promise<void>;
    const agents: http.Agent[] = [];

    beforeEach(async () => {
      messages = [];
      failing = new Set();
      deletesAnswer = Promise.resolve();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
      upstream = http.createServer(async (request, response) => {
        let text = '';
        for await (const chunk of request) text += String(chunk);
        const target = String(request.headers['x-amz-target']);
        let body: unknown = {};
        if (target === 'AmazonSQS.ReceiveMessage') body = { Messages: messages.splice(0) };
        if (target === 'AmazonSQS.DeleteMessageBatch') {
          await deletesAnswer;
          const entries = (JSON.parse(text) as { Entries: Array<{ Id: string; ReceiptHandle: string }> }).Entries;
          body = {
            Successful: entries.filter((entry) => !failing.has(entry.ReceiptHandle)).map((entry) => ({ Id: entry.Id })),
            Failed: entries
              .filter((entry) => failing.has(entry.ReceiptHandle))
              .map((entry) => ({ Id: entry.Id, Code: 'ReceiptHandleIsInvalid' })),
          };
        }
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      await proxy.close();
      proxy = await AwsProxy.start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    });

    afterEach(() => {
      for (const agent of agents.splice(0)) agent.destroy();
    });

    /** A client on one keep-alive connection: every call it makes comes from the same port, which it resolves to. */
    const client = () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      return (target: string, body: unknown) =>
        new Promise<number>((resolve, reject) => {
          const request = http.request(proxy.url, { method: 'POST', agent, headers: { 'x-amz-target': target } }, (answer) => {
            answer.resume();
            answer.on('end', () => resolve(request.socket?.localPort ?? 0));
          });
          request.on('error', reject);
          request.end(JSON.stringify(body));
        });
    };
    const command = (id: string, receipt: string) => ({
      MessageId: `sqs-${id}`,
      ReceiptHandle: receipt,
      Body: JSON.stringify({ id, type: 't' }),
    });
    const event = (id: string, receipt: string) => ({
      MessageId: `sqs-${id}`,
      ReceiptHandle: receipt,
      Body: JSON.stringify({ version: '0', id: 'eventbridge-id', 'detail-type': 't', source: 's', detail: { id, type: 't' } }),
    });
    const inventory = { QueueUrl: 'http://sqs/1/p-inventory-service' };
    const deleteBatch = (...receipts: string[]) => ({
      ...inventory,
      Entries: receipts.map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle })),
    });

    it('holds what a port received from a queue until a delete of it succeeds, named by the envelope id', async () => {
      const call = client();
      messages = [command('m1', 'r1'), event('m2', 'r2')];
      const port = await call('AmazonSQS.ReceiveMessage', inventory);
      expect(proxy.held(new Set([port]), '/p-inventory-service')).toEqual([
        { messageId: 'sqs-m1', id: 'm1' },
        { messageId: 'sqs-m2', id: 'm2' },
      ]);
      expect(proxy.held(new Set([port]), '/p-email-service')).toEqual([]);
      expect(proxy.held(new Set([port + 1]), '/p-inventory-service')).toEqual([]);
      failing.add('r2');
      await call('AmazonSQS.DeleteMessageBatch', deleteBatch('r1', 'r2'));
      expect(proxy.held(new Set([port]), '/p-inventory-service').map((message) => message.id)).toEqual(['m2']);
      await call('AmazonSQS.DeleteMessage', { ...inventory, ReceiptHandle: 'r2' });
      expect(proxy.held(new Set([port]), '/p-inventory-service')).toEqual([]);
    });

    it('counts a message as let go while its delete is on its way, and held again if the delete fails', async () => {
      const call = client();
      messages = [command('m1', 'r1')];
      const port = await call('AmazonSQS.ReceiveMessage', inventory);
      let answer: () => void = () => undefined;
      deletesAnswer = new Promise((resolve) => (answer = resolve));
      failing.add('r1');
      const deleting = call('AmazonSQS.DeleteMessageBatch', deleteBatch('r1'));
      await eventually(
        'the delete at the emulator',
        () => proxy.unanswered(new Set([port])),
        (n) => n === 1,
        5_000,
      );
      expect(proxy.reading(new Set([port]))).toBe(0);
      expect(proxy.held(new Set([port]), '/p-inventory-service')).toEqual([]);
      answer();
      await deleting;
      expect(proxy.unanswered(new Set([port]))).toBe(0);
      expect(proxy.held(new Set([port]), '/p-inventory-service').map((message) => message.id)).toEqual(['m1']);
    });

    it('tells a listener of each receive that hands out messages, before the client has the answer', async () => {
      const call = client();
      const seen: Array<{ port: number; queueUrl: string; answered: boolean }> = [];
      let answered = false;
      const stopListening = proxy.onReceived((port, queueUrl) => seen.push({ port, queueUrl, answered }));
      messages = [command('m1', 'r1')];
      const port = await call('AmazonSQS.ReceiveMessage', inventory);
      answered = true;
      await call('AmazonSQS.ReceiveMessage', inventory);
      stopListening();
      messages = [command('m2', 'r2')];
      await call('AmazonSQS.ReceiveMessage', inventory);
      expect(seen).toEqual([{ port, queueUrl: inventory.QueueUrl, answered: false }]);
    });

    it('tells which messages another port received and deleted afterwards', async () => {
      const [first, second] = [client(), client()];
      messages = [command('m1', 'r1'), command('m2', 'r2'), command('m3', 'r3')];
      const dead = new Set([await first('AmazonSQS.ReceiveMessage', inventory)]);
      const since = proxy.now();
      // Redelivered to the second client: m1 received and deleted, m2 only received; m3 never came back.
      messages = [command('m1', 'r1b'), command('m2', 'r2b')];
      const other = await second('AmazonSQS.ReceiveMessage', inventory);
      expect(dead.has(other)).toBe(false);
      expect(proxy.held(dead, '/p-inventory-service')).toEqual([{ messageId: 'sqs-m3', id: 'm3' }]);
      await second('AmazonSQS.DeleteMessageBatch', deleteBatch('r1b'));
      expect(proxy.settledElsewhere(['sqs-m1', 'sqs-m2', 'sqs-m3'], dead, since)).toEqual(['sqs-m1']);
      // Received before `since`: not a take-over.
      expect(proxy.settledElsewhere(['sqs-m1'], dead, proxy.now())).toEqual([]);
      // Deleted through the first client's port: not settled by another.
      await first('AmazonSQS.DeleteMessageBatch', deleteBatch('r2b'));
      expect(proxy.settledElsewhere(['sqs-m2'], dead, since)).toEqual([]);
    });
  });

  it('lets no connection through while down, and forwards again afterwards', async () => {
    proxy.setMode('down');
    await expect(call('AmazonSQS.SendMessage')).rejects.toThrow();
    expect(received).toEqual([]);
    expect(proxy.dropped).toBeGreaterThan(0);
    proxy.setMode('forward');
    expect((await call('AmazonSQS.SendMessage')).status).toBe(200);
  });
});
