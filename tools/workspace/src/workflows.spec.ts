// The GitHub workflows under .github/workflows, checked by actionlint (rhysd/actionlint; with shellcheck on PATH it
// checks their scripts too): the repository's own pass, and a broken one fails, so a linter that stopped looking
// cannot pass for a clean result. CI builds actionlint into .tools/actionlint and names it in STITCH_ACTIONLINT.
import { execFile } from 'node:child_process';
import { accessSync, constants, globSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ACTIONLINT_VERSION = '1.7.12';
const workspaceRoot = path.resolve(__dirname, '../../..');

function executableOnPath(name: string): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.exe`] : [name];
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const candidate of names.map((file) => path.join(folder, file))) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not in this folder
      }
    }
  }
  return undefined;
}

const actionlint = process.env.STITCH_ACTIONLINT || executableOnPath('actionlint');
const install = `go install github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}`;
const required = process.env.CI === 'true';
if (!actionlint && !required)
  process.stderr.write(`actionlint is not installed (STITCH_ACTIONLINT or PATH): skipping the workflow lint; ${install}\n`);

interface LintResult {
  readonly code: number;
  readonly output: string;
}

/** Runs actionlint on the workflow files, from `cwd` (the repository it takes them to belong to). */
function lint(cwd: string, files: readonly string[]): Promise<LintResult> {
  if (!actionlint) throw new Error(`actionlint is not installed (STITCH_ACTIONLINT or PATH), and CI lints the workflows: ${install}`);
  return new Promise((resolve, reject) => {
    execFile(actionlint, ['-no-color', '-oneline', ...files], { cwd }, (error, stdout, stderr) => {
      const code = error ? error.code : 0;
      if (typeof code !== 'number') return reject(error ?? new Error('actionlint gave no exit code'));
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

(actionlint || required ? describe : describe.skip)('the GitHub workflows', () => {
  it('pass actionlint', async () => {
    const workflows = globSync('.github/workflows/*.{yml,yaml}', { cwd: workspaceRoot });
    expect(workflows).not.toEqual([]);
    expect(await lint(workspaceRoot, workflows)).toEqual({ code: 0, output: '' });
  });

  describe('a broken workflow', () => {
    let repository: string;
    beforeAll(async () => {
      repository = await mkdtemp(path.join(os.tmpdir(), 'stitch-workflows-'));
      await mkdir(path.join(repository, '.github/workflows'), { recursive: true });
      await writeFile(
        path.join(repository, '.github/workflows/broken.yml'),
        [
          'name: broken',
          'on: pull_request',
          'jobs:',
          '  deploy:',
          '    needs: tests',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: echo "${{ github.event.pull_request.title }}"',
          '      - run: echo "${{ secret.TOKEN }}"',
          '',
        ].join('\n'),
      );
    });
    afterAll(() => rm(repository, { recursive: true, force: true }));

    it('fails actionlint, with each mistake named at its line', async () => {
      const result = await lint(repository, ['.github/workflows/broken.yml']);
      expect(result.code).toBe(1);
      expect(result.output.split('\n')).toEqual([
        expect.stringMatching(/^\.github\/workflows\/broken\.yml:4:3: job "deploy" needs job "tests" which does not exist/),
        expect.stringMatching(/^\.github\/workflows\/broken\.yml:8:\d+: "github\.event\.pull_request\.title" is potentially untrusted/),
        expect.stringMatching(/^\.github\/workflows\/broken\.yml:9:\d+: undefined variable "secret"/),
      ]);
    });
  });
});
