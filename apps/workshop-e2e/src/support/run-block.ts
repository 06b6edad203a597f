import { spawn } from 'node:child_process';

export interface RunBlockOptions {
  /** Where the lab says to type it: the repository root. */
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * What the lab assumes of `npm start` that a test run does differently, each occurrence replaced as written: the
   * storefront's address (a test launches on free ports) and the data folder (a test runs in a temporary one).
   */
  readonly replace?: ReadonlyArray<readonly [string, string]>;
  /** Killed after this long, so a command that hangs fails the test naming itself rather than timing it out. */
  readonly timeoutMs?: number;
}

export interface BlockResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a lab's shell block as a participant's shell would (bash, stopping at the first failing command). */
export function runBlock(block: string, options: RunBlockOptions): Promise<BlockResult> {
  const script = (options.replace ?? []).reduce((text, [from, to]) => text.split(from).join(to), block);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(
            `the lab's block failed (${signal ? `killed by ${signal}` : `exit ${String(code)}`}):\n${script}\n--- stderr ---\n${stderr}`,
          ),
        );
    });
  });
}
