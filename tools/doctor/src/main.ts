// `npm run doctor [-- --port <n>] [-- --data-dir <dir>]`: can this machine run the shop? One line per check.
// Runs on Node's own type stripping, without the workspace's dependencies, so it answers before `npm install` too.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatResult, type CheckResult } from './check.ts';
import {
  checkDataFolder,
  checkDatabaseServer,
  checkDependencies,
  checkDisk,
  checkEmbeddedPostgres,
  checkEnvFile,
  checkNode,
  checkShopPorts,
  checkTransport,
  isPortFree,
} from './checks.ts';

const DEFAULT_PORT = 3000;

async function main(): Promise<number> {
  let values: { port?: string; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, 'data-dir': { type: 'string' } }, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}; usage: npm run doctor -- [--port <n>] [--data-dir <dir>]`);
    return 2;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 1024 || port > 65_526) {
    console.error(`--port ${values.port}: give a port from 1024 to 65526`);
    return 2;
  }
  // The same defaults as npm start: a shop on other ports keeps its own data folder.
  const dataDir = values['data-dir'] ?? (port === DEFAULT_PORT ? '.data' : `.data-${port}`);
  const root = process.cwd();
  const databaseUrl = process.env['DATABASE_URL'] || undefined;

  const results: CheckResult[] = [
    checkNode(),
    await checkDependencies(root),
    await checkEnvFile(root),
    await checkTransport(process.env),
    ...(await checkShopPorts(port, (candidate) => isPortFree(candidate))),
    await checkDatabaseServer(databaseUrl, (candidate) => isPortFree(candidate)),
    await checkEmbeddedPostgres(databaseUrl),
    await checkDisk(path.resolve(dataDir)),
    await checkDataFolder(dataDir),
  ];
  for (const result of results) console.log(formatResult(result));
  const failures = results.filter((result) => result.status === 'fail').length;
  console.log(
    failures === 0
      ? `ready: npm start${port === DEFAULT_PORT ? '' : ` -- --port ${port}`}`
      : `${failures} problem(s) above: fix them, then run npm run doctor again`,
  );
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`doctor failed: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
