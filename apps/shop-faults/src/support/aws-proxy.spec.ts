import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('counts what a client port received from a queue and has not deleted', async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    upstream = http.createServer(async (request, response) => {
      for await (const _chunk of request) void _chunk;
      const target = String(request.headers['x-amz-target']);
      const body = target === 'AmazonSQS.ReceiveMessage' ? { Messages: [{ ReceiptHandle: 'r1' }, { ReceiptHandle: 'r2' }] } : {};
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    await proxy.close();
    proxy = await AwsProxy.start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (target: string, body: unknown) =>
      new Promise<number>((resolve, reject) => {
        const request = http.request(proxy.url, { method: 'POST', agent, headers: { 'x-amz-target': target } }, (answer) => {
          answer.resume();
          answer.on('end', () => resolve(request.socket?.localPort ?? 0));
        });
        request.on('error', reject);
        request.end(JSON.stringify(body));
      });
    const port = await send('AmazonSQS.ReceiveMessage', { QueueUrl: 'http://sqs/1/p-inventory-service' });
    expect(proxy.inHand(new Set([port]), '/p-inventory-service')).toBe(2);
    expect(proxy.inHand(new Set([port]), '/p-email-service')).toBe(0);
    expect(proxy.inHand(new Set([port + 1]), '/p-inventory-service')).toBe(0);
    await send('AmazonSQS.DeleteMessageBatch', { Entries: [{ Id: '0', ReceiptHandle: 'r1' }] });
    expect(proxy.inHand(new Set([port]), '/p-inventory-service')).toBe(1);
    await send('AmazonSQS.DeleteMessage', { ReceiptHandle: 'r2' });
    expect(proxy.inHand(new Set([port]), '/p-inventory-service')).toBe(0);
    agent.destroy();
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
