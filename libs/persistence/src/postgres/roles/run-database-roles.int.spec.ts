// The runner on a real PostgreSQL (the embedded one, whose superuser stands in for a managed server's admin), called as
// a function and run as the job's command (main.ts in its own process), in the clear and over verified TLS.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded-postgres';
import { startTestPostgres, type TestPostgres } from '../../../test/support/test-postgres';
import { runDatabaseRoles } from './run-database-roles';

const ADMIN = 'postgres';

interface ServiceRole {
  readonly service: string;
  readonly database: string;
  readonly username: string;
  readonly passwordVariable: string;
  readonly password: string;
}

const newPassword = () => randomBytes(24).toString('base64url');
const serviceRole = (service: string, database: string): ServiceRole => {
  const username = service.replace(/-/g, '_');
  return { service, database, username, passwordVariable: `${username.toUpperCase()}_DATABASE_PASSWORD`, password: newPassword() };
};

/** The job's environment on the server at `url` (the embedded one: no TLS unless `extra` says otherwise). */
function jobEnv(url: string, roles: readonly ServiceRole[], extra: Record<string, string | undefined> = {}): Record<string, string> {
  const { port, password } = new URL(url);
  const env: Record<string, string | undefined> = {
    DATABASE_HOST: '127.0.0.1',
    DATABASE_PORT: port,
    DATABASE_ADMIN_USER: ADMIN,
    DATABASE_ADMIN_PASSWORD: decodeURIComponent(password),
    DATABASE_TLS: 'disable',
    DATABASE_ROLES: JSON.stringify(roles.map(({ password: _, ...entry }) => entry)),
    ...Object.fromEntries(roles.map((role) => [role.passwordVariable, role.password])),
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

async function connected<T>(url: string, user: string, password: string, database: string, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ host: '127.0.0.1', port: Number(new URL(url).port), user, password, database });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const asAdmin = <T>(url: string, work: (client: pg.Client) => Promise<T>) =>
  connected(url, ADMIN, decodeURIComponent(new URL(url).password), 'postgres', work);

const asService = (url: string, role: ServiceRole, database: string) =>
  connected(url, role.username, role.password, database, async (client) => (await client.query('SELECT current_user AS me')).rows);

/** Which of `roles`' roles and databases exist on the server. */
async function existing(url: string, roles: readonly ServiceRole[]): Promise<string[]> {
  const { rows } = await asAdmin(url, (client) =>
    client.query<{ name: string }>(
      `SELECT 'role ' || rolname AS name FROM pg_roles WHERE rolname = ANY($1)
       UNION ALL SELECT 'database ' || datname FROM pg_database WHERE datname = ANY($2) ORDER BY name`,
      [roles.map((role) => role.username), roles.map((role) => role.database)],
    ),
  );
  return rows.map((row) => row.name);
}

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** main.ts in a process of its own, as the job runs it; resolves when the process has exited. */
function runMain(env: Record<string, string>): Promise<Outcome> {
  const inherited = { ...process.env };
  // Jest's --experimental-vm-modules is not the job's, and the host's CA list must not vouch for a test server.
  delete inherited['NODE_OPTIONS'];
  delete inherited['NODE_EXTRA_CA_CERTS'];
  for (const name of Object.keys(inherited)) if (name.startsWith('DATABASE_') || name.startsWith('PG')) delete inherited[name];
  const child = spawn(process.execPath, ['--require', '@swc-node/register', path.join(__dirname, 'main.ts')], {
    env: { ...inherited, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

describe('runDatabaseRoles on a PostgreSQL server', () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(() => server?.stop());

  it('gives each listed service its own role and database, which it alone may enter, and logs what it did, no password', async () => {
    const order = serviceRole('order-service', 'stitch_order');
    const payment = serviceRole('payment-service', 'stitch_payment');
    const env = jobEnv(server.url, [order, payment]);
    const lines: string[] = [];

    const run = await runDatabaseRoles(env, { log: (line) => lines.push(line) });

    expect(run.host).toBe('127.0.0.1');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ message: 'database roles applied', host: '127.0.0.1', done: run.done });
    expect(run.done).toEqual(
      expect.arrayContaining([
        'role order_service of order-service: created, or its password set',
        'database stitch_payment: created, or given, owned by payment_service',
      ]),
    );
    for (const secret of [order.password, payment.password, env['DATABASE_ADMIN_PASSWORD']!]) expect(lines[0]).not.toContain(secret);

    expect(await existing(server.url, [order, payment])).toEqual([
      'database stitch_order',
      'database stitch_payment',
      'role order_service',
      'role payment_service',
    ]);
    for (const [role, other] of [
      [order, payment],
      [payment, order],
    ] as const) {
      expect(await asService(server.url, role, role.database)).toEqual([{ me: role.username }]);
      await expect(asService(server.url, role, other.database)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining(`permission denied for database "${other.database}"`),
      });
    }
  });

  it('runs again over what it made: each role takes its new password, and its data stays', async () => {
    const inventory = serviceRole('inventory-service', 'stitch_inventory');
    await runDatabaseRoles(jobEnv(server.url, [inventory]), { log: () => undefined });
    await connected(server.url, inventory.username, inventory.password, inventory.database, (client) =>
      client.query(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`),
    );

    const rotated = { ...inventory, password: newPassword() };
    await runDatabaseRoles(jobEnv(server.url, [rotated]), { log: () => undefined });

    const rows = await connected(server.url, rotated.username, rotated.password, rotated.database, async (client) => {
      return (await client.query('SELECT note FROM kept')).rows;
    });
    expect(rows).toEqual([{ note: 'still here' }]);
    await expect(asService(server.url, inventory, inventory.database)).rejects.toMatchObject({ code: '28P01' });
  });

  describe('refuses wrong settings, changing nothing', () => {
    const email = serviceRole('email-service', 'stitch_email');
    const notification = serviceRole('notification-service', 'stitch_notification');

    it.each<[string, () => Record<string, string | undefined>, string]>([
      [
        "a service's password variable is not set",
        () => ({ [notification.passwordVariable]: undefined }),
        'Invalid database-roles configuration: NOTIFICATION_SERVICE_DATABASE_PASSWORD: is not set, and holds the password of notification-service (DATABASE_ROLES)',
      ],
      [
        'DATABASE_ROLES is not JSON',
        () => ({ DATABASE_ROLES: `[{ "service": "email-service", ` }),
        'Invalid database-roles configuration: DATABASE_ROLES: is not JSON: it must be a JSON array of { "service", "database", "username", "passwordVariable" }',
      ],
      [
        'two services share a database',
        () => ({
          DATABASE_ROLES: JSON.stringify([email, { ...notification, database: email.database }].map(({ password: _, ...entry }) => entry)),
        }),
        'Invalid database-roles configuration: DATABASE_ROLES: two services have the database "stitch_email": each service needs its own role and database',
      ],
    ])('when %s', async (_, change, message) => {
      const env = jobEnv(server.url, [email, notification], change());
      await expect(runDatabaseRoles(env, { log: () => undefined })).rejects.toThrow(message);
      expect(await existing(server.url, [email, notification])).toEqual([]);
    });

    it('asks for TLS unless DATABASE_TLS=disable, and a server without it is refused', async () => {
      const env = jobEnv(server.url, [email], { DATABASE_TLS: undefined });
      await expect(runDatabaseRoles(env, { log: () => undefined })).rejects.toThrow(
        `cannot connect as "${ADMIN}" to the PostgreSQL server at 127.0.0.1:${new URL(server.url).port} (DATABASE_TLS=verify-full): The server does not support SSL connections`,
      );
      expect(await existing(server.url, [email])).toEqual([]);
    });
  });

  describe('as the job runs it: node main.js', () => {
    it('applies the roles, prints the one JSON line and exits 0', async () => {
      const storefront = serviceRole('storefront', 'stitch_storefront');
      const outcome = await runMain(jobEnv(server.url, [storefront]));
      expect(outcome).toMatchObject({ status: 0, stderr: '' });
      expect(outcome.stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(outcome.stdout)).toMatchObject({ message: 'database roles applied', host: '127.0.0.1' });
      expect(outcome.stdout).not.toContain(storefront.password);
      expect(await asService(server.url, storefront, storefront.database)).toEqual([{ me: 'storefront' }]);
    });

    it('says in one line on stderr why nothing was applied, and exits 1', async () => {
      const shipping = serviceRole('shipping-service', 'stitch_shipping');
      const env = jobEnv(server.url, [shipping], { DATABASE_HOST: undefined });
      const outcome = await runMain(env);
      expect(outcome).toEqual({
        status: 1,
        stdout: '',
        stderr:
          "database roles not applied: Invalid database-roles configuration: DATABASE_HOST: is required: the PostgreSQL server's host name\n",
      });
      expect(await existing(server.url, [shipping])).toEqual([]);
    });
  });
});

const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A test CA (`ca.crt`) and a server certificate it signs for `localhost` only (`server.crt`, `server.key`), in `directory`. */
async function makeCertificates(directory: string): Promise<void> {
  const file = (name: string) => path.join(directory, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  run('req', '-x509', ...newKey, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-subj', '/CN=stitch test CA');
  run('req', ...newKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  await writeFile(file('server.ext'), 'subjectAltName=DNS:localhost\n');
  const signed = ['-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext')];
  run('x509', '-req', '-in', file('server.csr'), ...signed, '-out', file('server.crt'));
}

// The certificates are made with the openssl command; a machine without it cannot make them.
(openssl ? describe : describe.skip)('runDatabaseRoles over TLS (DATABASE_TLS=verify-full, the default)', () => {
  let directory: string;
  let server: EmbeddedPostgres;
  let caFile: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-roles-tls-'));
    // As root, PostgreSQL runs as the OS user `postgres`, which must enter the folder.
    await chmod(directory, 0o755);
    await makeCertificates(directory);
    caFile = path.join(directory, 'ca.crt');
    const dataDir = path.join(directory, 'pg');
    const plain = await startEmbeddedPostgres({ dataDir, throwAway: true });
    try {
      // PostgreSQL takes a key only when the server's own user owns it and no one else may read it.
      const owner = await stat(dataDir);
      for (const name of ['server.crt', 'server.key']) {
        const target = path.join(dataDir, name);
        await copyFile(path.join(directory, name), target);
        await chmod(target, 0o600);
        if (process.getuid?.() === 0) await chown(target, owner.uid, owner.gid);
      }
      await asAdmin(plain.url, async (client) => {
        for (const setting of [`ssl = on`, `ssl_cert_file = 'server.crt'`, `ssl_key_file = 'server.key'`])
          await client.query(`ALTER SYSTEM SET ${setting}`);
      });
    } finally {
      await plain.stop();
    }
    // Started again on the same cluster: TLS on, from the settings above.
    server = await startEmbeddedPostgres({ dataDir, port: plain.port, throwAway: true });
  });
  afterAll(async () => {
    await server?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('applies the roles to a server whose certificate a trusted CA signed for DATABASE_HOST', async () => {
    const order = serviceRole('order-service', 'stitch_order');
    const outcome = await runMain({
      ...jobEnv(server.url, [order], { DATABASE_HOST: 'localhost', DATABASE_TLS: undefined }),
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(outcome).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(outcome.stdout)).toMatchObject({ message: 'database roles applied', host: 'localhost' });
    expect(await asService(server.url, order, order.database)).toEqual([{ me: 'order_service' }]);
  });

  it.each([
    ['whose CA it does not trust', 'localhost', false, 'unable to verify the first certificate'],
    ['whose certificate is for another host name', '127.0.0.1', true, "Hostname/IP does not match certificate's altnames"],
  ])('refuses a server %s, changing nothing', async (_, host, trusted, reason) => {
    const payment = serviceRole('payment-service', 'stitch_payment');
    const env = jobEnv(server.url, [payment], { DATABASE_HOST: host, DATABASE_TLS: undefined });
    const outcome = await runMain(trusted ? { ...env, NODE_EXTRA_CA_CERTS: caFile } : env);
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toMatch(
      new RegExp(
        `^database roles not applied: cannot connect as "postgres" to the PostgreSQL server at ${host}:\\d+ \\(DATABASE_TLS=verify-full\\): `,
      ),
    );
    expect(outcome.stderr).toContain(reason);
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    expect(await existing(server.url, [payment])).toEqual([]);
  });
});
