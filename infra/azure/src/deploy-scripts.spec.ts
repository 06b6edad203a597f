import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// The scripts the deploy's local commands run, each against a stand-in `az` that answers as the Azure CLI does and
// records how it was called.
const RUN_JOB = path.resolve(__dirname, '../scripts/run-job.sh');

describe('run-job.sh', () => {
  let bin: string;
  let calls: string;

  beforeEach(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'fake-az-'));
    calls = path.join(bin, 'calls.log');
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  /** An `az` that starts execution `database-roles-x1` and reports `statuses` to successive `execution show` calls. */
  function fakeAz(statuses: string[]): void {
    const script = `#!/usr/bin/env bash
echo "$*" >> ${JSON.stringify(calls)}
case "$1 $2 $3" in
  "containerapp job start") echo database-roles-x1 ;;
  "containerapp job execution")
    count=$(grep -c 'execution show' ${JSON.stringify(calls)})
    statuses=(${statuses.join(' ')})
    echo "\${statuses[$((count - 1))]}" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;
    writeFileSync(path.join(bin, 'az'), script);
    chmodSync(path.join(bin, 'az'), 0o755);
  }

  const run = (env: Record<string, string>) =>
    spawnSync('bash', [RUN_JOB], { env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, ...env }, encoding: 'utf8' });

  it('starts one execution of the job and succeeds once that execution has succeeded', () => {
    fakeAz(['Succeeded']);
    const result = run({ JOB: 'database-roles', RESOURCE_GROUP: 'shop1-stitch' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('job database-roles: execution database-roles-x1 succeeded');
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'containerapp job start --name database-roles --resource-group shop1-stitch --query name --output tsv',
      'containerapp job execution show --name database-roles --resource-group shop1-stitch --job-execution-name database-roles-x1 --query properties.status --output tsv',
    ]);
  });

  it('fails the deploy when the execution failed, saying how to read its logs', () => {
    fakeAz(['Failed']);
    const result = run({ JOB: 'database-roles', RESOURCE_GROUP: 'shop1-stitch' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('execution database-roles-x1 ended Failed');
    expect(result.stderr).toContain(
      'az containerapp job logs show --name database-roles --resource-group shop1-stitch --execution database-roles-x1',
    );
  });

  it('refuses to start without the job and its resource group, naming the missing one', () => {
    fakeAz([]);
    const result = run({ JOB: 'database-roles' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('RESOURCE_GROUP names its resource group');
  });
});
