import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const loadEnv = path.join(root, 'tools/load-env.cjs');

function settingsSeenIn(cwd: string, env: Record<string, string>): Record<string, string | undefined> {
  const script = 'console.log(JSON.stringify({ port: process.env.PORT, transport: process.env.MESSAGING_TRANSPORT }))';
  const result = spawnSync(process.execPath, ['--require', loadEnv, '-e', script], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, string | undefined>;
}

describe('.env', () => {
  let tmp: string;
  beforeEach(async () => (tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-env-'))));
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('is read at start, under what the environment already sets', async () => {
    await writeFile(path.join(tmp, '.env'), 'PORT=4000\nMESSAGING_TRANSPORT=aws\n');
    expect(settingsSeenIn(tmp, { MESSAGING_TRANSPORT: 'local' })).toEqual({ port: '4000', transport: 'local' });
  });

  it('is optional, without a word when missing', () => {
    expect(settingsSeenIn(tmp, {})).toEqual({});
  });

  it('is loaded by every command a user starts the shop or its tools with', () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'doctor', 'dlq', 'topology:aws', 'topology:azure']) {
      expect([name, scripts[name]?.includes('--require ./tools/load-env.cjs')]).toEqual([name, true]);
    }
  });
});
