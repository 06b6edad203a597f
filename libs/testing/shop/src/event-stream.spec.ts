import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '@stitch/waiting-testing';
import { FlowStream } from './event-stream';

const record = (messageId: string) => ({
  messageId,
  type: 'email.send-email.v1',
  kind: 'command',
  from: 'order-service',
  to: 'email-service',
  instance: 'email-service-2',
  at: '2026-01-01T00:00:00.000Z',
  outcome: 'handled',
});

describe('FlowStream', () => {
  let server: http.Server;
  let url: string;

  beforeEach(async () => {
    server = http.createServer((request, response) => {
      if (request.url !== '/api/flow') return void response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // Split across writes and line-ending styles, with a keep-alive comment and a named event.
      response.write(
        `: keep-alive\n\ndata: ${JSON.stringify(record('a'))}\n\nevent: flow\r\nid: 2\r\ndata: ${JSON.stringify(record('b')).slice(0, 20)}`,
      );
      setTimeout(() => response.write(`${JSON.stringify(record('b')).slice(20)}\r\n\r\n`), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/flow`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('collects every record until closed', async () => {
    const flow = await FlowStream.open(url);
    await until('both records, the second split across two writes', () => flow.records.length >= 2, {
      state: () => `${flow.records.length} records`,
    });
    await flow.close();
    expect(flow.records).toEqual([record('a'), record('b')]);
  });

  it('refuses an answer that is not an event stream', async () => {
    await expect(FlowStream.open(url.replace('/api/flow', '/api/orders'))).rejects.toThrow(
      /answered 200 application\/json, expected 200 text\/event-stream$/,
    );
  });
});
