import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { runSmoke, type SmokeDeps, type SmokeOptions } from './smoke';

export interface ProgramDeps extends SmokeDeps {
  readonly err: (line: string) => void;
}

const DEFAULT_TIMEOUT_S = 60;

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`"${value}" is not an http or https URL`);
  if (url.search || url.hash) throw new InvalidArgumentError(`"${value}": give the storefront's base URL, without a query or fragment`);
  return url;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return seconds;
}

/** The options of one run, or a CommanderError (help, version or a mistake) that says what to print and exit with. */
export function parseSmokeArgs(argv: readonly string[], deps: Pick<ProgramDeps, 'print' | 'err'>): SmokeOptions {
  const program = new Command('smoke')
    .description('One sign-up and one checkout through a running storefront, step by step; exit code 1 when a step fails.')
    .requiredOption('--url <url>', "the storefront's base URL, e.g. http://127.0.0.1:3000", parseUrl)
    .option(
      '--timeout <seconds>',
      'how long the whole run may take, the wait for the order to be confirmed included',
      parseSeconds,
      DEFAULT_TIMEOUT_S,
    )
    .addHelpText('after', '\nExample:\n  npm run smoke -- --url http://127.0.0.1:3000 --timeout 90')
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.print(text.trimEnd()), writeErr: (text) => deps.err(text.trimEnd()) })
    .allowExcessArguments(false);
  program.parse([...argv], { from: 'user' });
  const options = program.opts<{ url: URL; timeout: number }>();
  return { url: options.url, timeoutMs: Math.round(options.timeout * 1000) };
}

/** Runs the smoke test with these arguments; resolves to the exit code. */
export async function runSmokeProgram(argv: readonly string[], deps: ProgramDeps): Promise<number> {
  let options: SmokeOptions;
  try {
    options = parseSmokeArgs(argv, deps);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    throw error;
  }
  return (await runSmoke(options, deps)) ? 0 : 1;
}
