import { spawn } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run dlq -- <args>` as an operator types it (`via: 'npm'`), or the node command that script runs, which
 * starts faster; both from the repository root with the given settings on top of the test's environment.
 */
export function dlq(args: readonly string[], env: Record<string, string>, via: 'node' | 'npm' = 'node'): Promise<CliResult> {
  // jest's own NODE_OPTIONS (vm modules) is not the operator's.
  const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
  const [command, argv] =
    via === 'npm'
      ? ['npm', ['run', '--silent', 'dlq', '--', ...args]]
      : [process.execPath, ['--require', '@swc-node/register', 'tools/dlq/src/main.ts', ...args]];
  const child = spawn(command, argv, { cwd: repoRoot, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      // npm's own warnings about the machine's npm config are not the tool's output.
      resolve({
        code,
        stdout: stdout.trim(),
        stderr: stderr
          .split('\n')
          .filter((line) => line && !line.startsWith('npm warn'))
          .join('\n'),
      });
    });
  });
}
