// Lab 06: add a message with the workspace's generator. Its commands run as written in a copy of the repository (a
// participant's clone, never the repository under test): the generator writes what the lab lists, the notification
// service's rule gains the new type, and the projects it touched lint, typecheck and pass their tests; then again
// with the code of the lab's solutions to steps 5 to 7 put where they say.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TemporaryWorkspace } from '@stitch/workspace-testing';
import { withoutNpmBanner } from './support/npm-output';
import { Lab } from './support/lab';
import { runBlock } from './support/run-block';

const lab = new Lab('06-add-a-message');
/** The generator, then the lint, typecheck and tests of three projects in a fresh copy with no cache: minutes. */
const GENEROUS_MS = 15 * 60_000;

describe('lab 06 — add a message', () => {
  let workspace: TemporaryWorkspace | undefined;

  afterEach(() => {
    workspace?.remove();
    workspace = undefined;
  });

  it(
    'the generator writes what the lab lists, the fan-out gains the event, and what it touched passes its checks',
    async () => {
      workspace = TemporaryWorkspace.create();
      const run = async (name: string) =>
        plain((await runBlock(lab.command(name), { cwd: workspace?.root as string, env: workspace?.env, timeoutMs: GENEROUS_MS })).stdout);

      const generated = (await run('generate')).split('\n').map((line) => line.trim());
      const expectedLines = lab.expected('generate').split('\n');
      expect(expectedLines.filter((line) => !generated.includes(line.trim()))).toEqual([]);

      expect(await run('changed')).toBe(lab.expected('changed'));
      expect((await run('topology')).trimEnd()).toBe(lab.expected('topology'));

      const verified = await run('verify');
      expect(verified).toContain('Successfully ran targets lint, typecheck, test for 3 projects');

      await applySolutions(workspace.root);
      expect(await run('verify')).toContain('Successfully ran targets lint, typecheck, test for 3 projects');
    },
    GENEROUS_MS,
  );
});

/**
 * The code of the lab's solutions to steps 5 to 7, in the order the lab gives it, put where each says: the contract
 * whole, the decision and its spec appended, the publish after `StockReserved`'s, the handler's method replaced.
 */
async function applySolutions(root: string): Promise<void> {
  const solutions = lab.section('Solutions');
  const [contract, decision, decisionSpec, publish, handle] = fencedBlocks(solutions, 'ts');
  if (!contract || !decision || !decisionSpec || !publish || !handle)
    throw new Error(`${lab.file}: its Solutions no longer hold the five code blocks of steps 5 to 7 in order`);
  const validMessage = /`(LowStockReached\.schema\.parse\(\{[^`]*\}\))`/.exec(solutions)?.[1];
  if (!validMessage) throw new Error(`${lab.file}: its Solutions no longer give the handler's spec a valid LowStockReached`);

  const edit = async (file: string, change: (text: string) => string) => {
    const at = path.join(root, file);
    const before = await readFile(at, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`the lab's solution changed nothing in ${file}: where it goes has moved`);
    await writeFile(at, after);
  };
  const replaceOnce = (text: string, from: string, to: string) => {
    if (text.split(from).length !== 2) throw new Error(`expected "${from}" once`);
    return text.replace(from, to);
  };
  const feature = 'apps/notification-service/src/low-stock-reached';
  const stock = 'apps/inventory-service/src/stock';
  await edit('libs/contracts/src/events/low-stock-reached.ts', () => `${contract}\n`);
  await edit(`${feature}/low-stock-reached.handler.spec.ts`, (text) => replaceOnce(text, 'LowStockReached.schema.parse({})', validMessage));
  await edit(`${stock}/reservation-decision.ts`, (text) => `${text}\n${decision}\n`);
  await edit(
    `${stock}/reservation-decision.spec.ts`,
    (text) =>
      replaceOnce(text, 'import { combineLines, decideReservation }', 'import { combineLines, decideReservation, lowStockAfter }') +
      `\n${decisionSpec}\n`,
  );
  await edit(`${stock}/stock.handlers.ts`, (text) => {
    const imported = replaceOnce(
      replaceOnce(text, 'import { ReleaseStock,', 'import { LowStockReached, ReleaseStock,'),
      'import { combineLines, decideReservation }',
      'import { combineLines, decideReservation, lowStockAfter }',
    );
    const reserved = 'await this.bus.publish(StockReserved, { orderId, items: [...decision.lines] });';
    return replaceOnce(imported, reserved, `${reserved}\n    ${publish}`);
  });
  await edit(`${feature}/low-stock-reached.handler.ts`, (text) => {
    const start = text.indexOf('  @HandleMessage(LowStockReached)');
    const end = text.lastIndexOf('\n}');
    if (start < 0 || end < start) throw new Error('the generated handler has no @HandleMessage(LowStockReached) method');
    return `${text.slice(0, start)}${indent(handle, '  ')}${text.slice(end)}`;
  });
}

/** The text of each fenced block of a language, without the indentation of the list item it is in. */
function fencedBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`^( *)\`\`\`${language}\\n([\\s\\S]*?)^\\1\`\`\`$`, 'gm'))].map(([, margin = '', body = '']) =>
    body
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => (line.startsWith(margin) ? line.slice(margin.length) : line.trimStart()))
      .join('\n'),
  );
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `${by}${line}` : line))
    .join('\n');
}

/** Output as a terminal shows its text: without colours, npm's banner or trailing blank lines. */
function plain(output: string): string {
  // eslint-disable-next-line no-control-regex
  return withoutNpmBanner(output.replace(/\u001b\[[0-9;]*m/g, '')).replace(/\n+$/, '');
}
