// `npm start`: the whole shop on this machine. Run from the repository root:
//   node --require @swc-node/register tools/launcher/src/main.ts [--scale <service>=N]... [--data-dir .data] [--fresh]
import { spawn } from 'node:child_process';
import { parseLauncherArgs, usage, UsageError, type LauncherArgs } from './args';
import { LaunchCancelledError, launchShop } from './launch';
import { platformCaveat } from './process-tree';
import { worthShowing } from './service-output';
import { shopServices } from './services';

const SUPERVISOR = 'STITCH_LAUNCHER_SUPERVISOR';
const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A Ctrl-C goes to the terminal's whole foreground process group, and the embedded PostgreSQL is a child in
 * the launcher's group: it would shut down at once, under services still stopping. So the launcher runs as a
 * supervisor in a group of its own, and this first process only turns signals into one SIGTERM for it.
 */
function runSupervisor(): void {
  argumentsOrExit();
  const supervisor = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    detached: true,
    windowsHide: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [SUPERVISOR]: '1' },
  });
  let signalled = false;
  for (const signal of stopSignals) {
    process.on(signal, () => {
      if (!signalled) supervisor.kill('SIGTERM');
      signalled = true;
    });
  }
  supervisor.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function argumentsOrExit(): LauncherArgs {
  try {
    return parseLauncherArgs(
      process.argv.slice(2),
      shopServices.map((service) => service.name),
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

async function supervise(): Promise<void> {
  const args = argumentsOrExit();
  if (args.help) {
    console.log(usage);
    return;
  }

  const say = (line: string) => console.log(`[launcher] ${line}`);
  const caveat = platformCaveat();
  if (caveat) say(caveat);
  const stopRequested = new AbortController();
  const requestStop = () => stopRequested.abort();
  for (const signal of stopSignals) process.on(signal, requestStop);
  // The first process went away (killed, its terminal closed): nobody would stop the shop any more.
  process.on('disconnect', requestStop);
  process.channel?.unref();

  let shop;
  try {
    shop = await launchShop({
      dataDir: args.dataDir,
      scale: args.scale,
      fresh: args.fresh,
      databaseUrl: process.env.DATABASE_URL || undefined,
      bindHost: process.env.HOST || undefined,
      ports: 'default',
      basePort: args.port,
      restart: true,
      signal: stopRequested.signal,
      report: say,
      onServiceLine: (instance, line) => {
        if (worthShowing(line)) console.log(`[${instance}] ${line.level.toUpperCase()} ${line.text}`);
      },
    });
  } catch (error) {
    if (error instanceof LaunchCancelledError) return say('stopped before the shop was ready');
    console.error(`[launcher] ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }

  say(`the shop is ready: ${shop.storefrontUrl}   (Ctrl-C stops it)`);
  const stopped = new Promise<'signal'>((resolve) =>
    stopRequested.signal.addEventListener('abort', () => resolve('signal'), { once: true }),
  );
  const reason = await Promise.race([stopped, shop.unexpectedExit]);
  if (reason !== 'signal') {
    say(`stopping the shop because ${reason.process.instance} exited; its log: ${reason.process.logFile}`);
    process.exitCode = 1;
  } else {
    say('stopping the shop');
  }
  await shop.stop();
}

if (process.env[SUPERVISOR] === '1') {
  supervise().catch((error: unknown) => {
    console.error(`[launcher] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
} else {
  runSupervisor();
}
