import { launchShop, parseLauncherArgs, shopServices, type LauncherArgs, type RunningShop } from '@stitch/launcher';

/** A variable a lab sets: `NAME=value`, the value bare or in single or double quotes, with no expansion in it. */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(?:'([^']*)'|"([^"$`\\]*)"|([^\s'"$`\\;&|]*))$/;

/** A block's words, its lines joined where they end with `\`, comments dropped. Quotes stay on their word. */
function words(block: string): string[] {
  const text = block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  return [...text.matchAll(/'[^']*'|"[^"]*"|[^\s'"]+(?:(?:'[^']*'|"[^"]*")[^\s'"]*)*/g)].map((match) => match[0]);
}

function assignment(word: string, block: string): [string, string] {
  const match = ASSIGNMENT.exec(word);
  if (!match) throw new Error(`"${word}" in the lab's block is not a plain NAME=value setting:\n${block}`);
  const [, name = '', single, double, bare] = match;
  return [name, single ?? double ?? bare ?? ''];
}

/**
 * The settings a lab's `export NAME=value …` block gives the terminal, which every later command of the lab runs
 * with (`npm start` too). Anything but plain exports is refused, so what the test reads is what the shell would set.
 */
export function exportedSettings(block: string): Record<string, string> {
  const settings: Record<string, string> = {};
  let exporting = false;
  for (const word of words(block)) {
    if (word === 'export') {
      exporting = true;
      continue;
    }
    if (!exporting) throw new Error(`the lab's settings block may hold only \`export NAME=value …\` lines, not "${word}":\n${block}`);
    const [name, value] = assignment(word, block);
    settings[name] = value;
  }
  return settings;
}

export interface NpmStart {
  /** The settings written before `npm start` on its line (`MESSAGING_TRANSPORT=aws npm start`). */
  readonly env: Record<string, string>;
  /** Its arguments, read as the launcher reads them. */
  readonly args: LauncherArgs;
}

/** A lab's `[NAME=value …] npm start [-- <launcher arguments>]`, read as the shell and the launcher would. */
export function parseNpmStart(command: string): NpmStart {
  const all = words(command);
  const start = all.findIndex((word, index) => word === 'npm' && all[index + 1] === 'start');
  if (start < 0) throw new Error(`the lab's block is not an \`npm start\` command:\n${command}`);
  const env = Object.fromEntries(all.slice(0, start).map((word) => assignment(word, command)));
  const rest = all.slice(start + 2);
  if (rest.length > 0 && rest[0] !== '--') throw new Error(`npm start takes its arguments after "--": ${command}`);
  const args = parseLauncherArgs(
    rest.slice(1),
    shopServices.map((service) => service.name),
  );
  return { env, args };
}

export interface LaunchAsWrittenOptions {
  /** The run's own data folder, where the lab writes `.data`. */
  readonly dataDir: string;
  /** The terminal's settings from the lab's earlier steps; the command's own `NAME=value` words win over them. */
  readonly settings?: Readonly<Record<string, string>>;
  /** What the test's run must set differently from a participant's (its own name prefix on a shared emulator). */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

/**
 * The shop a lab's `npm start` command starts, launched as `npm start` launches it (`launchShop`, the same arguments),
 * on free ports and in the run's data folder: a test cannot wait for a command that runs until Ctrl-C.
 */
export function launchAsWritten(command: string, options: LaunchAsWrittenOptions): Promise<RunningShop> {
  const { env, args } = parseNpmStart(command);
  return launchShop({
    dataDir: options.dataDir,
    ports: 'free',
    scale: args.scale,
    fresh: args.fresh,
    env: { ...options.settings, ...env, ...options.overrides },
    readyTimeoutMs: options.readyTimeoutMs ?? 180_000,
  });
}
