import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exchangeRegistryToken } from './registry-token';

describe('exchangeRegistryToken', () => {
  let server: Server;
  let baseUrl: string;
  const received: { path: string; type: string | undefined; form: URLSearchParams }[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: { refresh_token: 'registry-refresh-token' } };

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url ?? '', type: request.headers['content-type'], form: new URLSearchParams(body) });
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
    answer = { status: 200, body: { refresh_token: 'registry-refresh-token' } };
  });

  it('posts the ARM access token as a form to /oauth2/exchange for the registry, and returns the refresh token', async () => {
    await expect(exchangeRegistryToken('shop1stitch.azurecr.io', 'arm-token', { tenantId: 'tenant-1', baseUrl })).resolves.toBe(
      'registry-refresh-token',
    );
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe('/oauth2/exchange');
    expect(received[0]?.type).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(received[0]?.form ?? [])).toEqual({
      grant_type: 'access_token',
      service: 'shop1stitch.azurecr.io',
      access_token: 'arm-token',
      tenant: 'tenant-1',
    });
  });

  it('names the registry, the status and the roles that would let the deployer in when it refuses, never echoing the token', async () => {
    answer = { status: 401, body: { errors: [{ message: 'arm-token is not allowed' }] } };
    const failure = exchangeRegistryToken('shop1stitch.azurecr.io', 'arm-token', { baseUrl });
    await expect(failure).rejects.toThrow(/registry shop1stitch\.azurecr\.io refused the Azure sign-in \(HTTP 401\).*AcrPush/);
    await expect(failure).rejects.not.toThrow(/arm-token/);
  });

  it('fails on an answer without a refresh token', async () => {
    answer = { status: 200, body: {} };
    await expect(exchangeRegistryToken('shop1stitch.azurecr.io', 'arm-token', { baseUrl })).rejects.toThrow(/without a refresh_token/);
  });
});
