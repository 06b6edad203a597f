// Lab 06: add a message with the workspace's generator. Its commands run as written in a copy of the repository (a
// participant's clone, never the repository under test): the generator writes what the lab lists, the notification
// service's rule gains the new type, and the projects it touched lint, typecheck and pass their tests.
import { withoutNpmBanner } from './support/npm-output';
import { Lab } from './support/lab';
import { runBlock } from './support/run-block';
import { ScratchWorkspace } from './support/scratch-workspace';

const lab = new Lab('06-add-a-message');
/** The generator, then the lint, typecheck and tests of three projects in a fresh copy with no cache: minutes. */
const GENEROUS_MS = 15 * 60_000;

describe('lab 06 — add a message', () => {
  let workspace: ScratchWorkspace | undefined;

  afterEach(async () => {
    await workspace?.remove();
    workspace = undefined;
  }, 60_000);

  it(
    'the generator writes what the lab lists, the fan-out gains the event, and what it touched passes its checks',
    async () => {
      workspace = await ScratchWorkspace.create();
      const run = async (name: string) =>
        plain((await runBlock(lab.command(name), { cwd: workspace?.root as string, env: workspace?.env, timeoutMs: GENEROUS_MS })).stdout);

      const generated = (await run('generate')).split('\n').map((line) => line.trim());
      const expectedLines = lab.expected('generate').split('\n');
      expect(expectedLines.filter((line) => !generated.includes(line.trim()))).toEqual([]);

      expect(await run('changed')).toBe(lab.expected('changed'));
      expect((await run('topology')).trimEnd()).toBe(lab.expected('topology'));

      const verified = await run('verify');
      expect(verified).toContain('Successfully ran targets lint, typecheck, test for 3 projects');
    },
    GENEROUS_MS,
  );
});

/** Output as a terminal shows its text: without colours, npm's banner or trailing blank lines. */
function plain(output: string): string {
  // eslint-disable-next-line no-control-regex
  return withoutNpmBanner(output.replace(/\u001b\[[0-9;]*m/g, '')).replace(/\n+$/, '');
}
