import { Command, CommanderError } from 'commander';
import type { Catalogue } from '@stitch/messaging-catalogue';
import { ConfigError, type Transport } from '@stitch/messaging-core';
import { DeadLetterDesk, describeScope, DlqError, resolveScope, type ScopeOptions } from './desk';
import { listJson, listText, movedJson, movedText, showJson, showText } from './format';

export interface DlqDeps {
  readonly catalogue: Catalogue;
  /** The transport the validated config names, started; the program closes it when the command is done. */
  open(): Promise<Transport>;
  out(text: string): void;
  err(text: string): void;
}

interface CommonOptions extends ScopeOptions {
  readonly json?: boolean;
}

interface MoveOptions extends CommonOptions {
  readonly all?: boolean;
  readonly yes?: boolean;
}

const examples = `
Examples:
  npm run dlq -- list
  npm run dlq -- list --subscription email-service --json
  npm run dlq -- show 12
  npm run dlq -- replay 12 13
  npm run dlq -- replay --all --source order-service
  npm run dlq -- purge --all --yes

The transport is the one the services use: MESSAGING_TRANSPORT with STITCH_DATA_DIR, SERVICEBUS_* or AWS_* and STITCH_PREFIX.`;

/** Runs one dlq command; resolves to the exit code. Mistakes are one line on stderr, never a stack. */
export async function runDlq(argv: readonly string[], deps: DlqDeps): Promise<number> {
  const program = dlqProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its own one-line error, or the help.
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof DlqError || error instanceof ConfigError) {
      deps.err(`dlq: ${error.message}`);
      return 1;
    }
    deps.err(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

export function dlqProgram(deps: DlqDeps): Command {
  const program = new Command('dlq')
    .description('Dead letters of every queue and subscription of the shop: list, show, replay, purge.')
    .usage('<list|show|replay|purge> [options]')
    .addHelpText('after', examples)
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.out(text.trimEnd()), writeErr: (text) => deps.err(text.trimEnd()) })
    .showSuggestionAfterError();

  async function withDesk<T>(work: (desk: DeadLetterDesk, transport: Transport) => Promise<T>): Promise<T> {
    const transport = await deps.open();
    try {
      return await work(new DeadLetterDesk(transport.deadLetters), transport);
    } finally {
      await transport.close();
    }
  }

  const print = (options: CommonOptions, json: () => unknown, text: () => string) =>
    deps.out(options.json ? JSON.stringify(json(), null, 2) : text());

  scoped(program.command('list'))
    .description('every queue and subscription with its dead letters, or the one named')
    .action(async (options: CommonOptions) => {
      const sources = resolveScope(deps.catalogue, options);
      const { found, name } = await withDesk(async (desk, transport) => ({ found: await desk.list(sources), name: transport.name }));
      print(
        options,
        () => listJson(found),
        () => listText(found, name),
      );
    });

  scoped(program.command('show'))
    .description('one dead letter with its envelope')
    .argument('<id>', 'the dead letter id that list shows')
    .action(async (id: string, options: CommonOptions) => {
      const sources = resolveScope(deps.catalogue, options);
      const located = await withDesk((desk) => desk.find(sources, id));
      print(
        options,
        () => showJson(located),
        () => showText(located),
      );
    });

  moving(program.command('replay'))
    .description('move dead letters back to the source they failed at: its queue, or only the subscription that failed the event')
    .action(async (ids: string[], options: MoveOptions) => {
      const sources = resolveScope(deps.catalogue, options);
      const chosen = chosenIds('replay', ids, options);
      const moved = await withDesk((desk) => desk.replay(sources, chosen));
      print(
        options,
        () => movedJson('replayed', moved),
        () => movedText('replayed', moved),
      );
    });

  moving(program.command('purge'))
    .description('delete dead letters for good')
    .option('--yes', 'confirm purge --all')
    .action(async (ids: string[], options: MoveOptions) => {
      const sources = resolveScope(deps.catalogue, options);
      const chosen = chosenIds('purge', ids, options);
      if (chosen === 'all' && !options.yes) {
        throw new DlqError(`purge --all deletes every dead letter of ${describeScope(sources)} for good; add --yes to do it`);
      }
      const moved = await withDesk((desk) => desk.purge(sources, chosen));
      print(
        options,
        () => movedJson('purged', moved),
        () => movedText('purged', moved),
      );
    });

  return program;
}

function scoped(command: Command): Command {
  return command
    .option('--source <queue>', 'only this command queue (named after its service)')
    .option('--subscription <service>', "only this service's subscription to events")
    .option('--json', 'machine-readable output')
    .exitOverride();
}

function moving(command: Command): Command {
  return scoped(command).argument('[ids...]', 'dead letter ids that list shows').option('--all', 'every dead letter in scope');
}

function chosenIds(verb: string, ids: readonly string[], options: MoveOptions): readonly string[] | 'all' {
  if (options.all && ids.length > 0) throw new DlqError(`${verb}: give ids or --all, not both`);
  if (options.all) return 'all';
  if (ids.length === 0) throw new DlqError(`${verb}: name the dead letters (ids from dlq list) or give --all`);
  return ids;
}
