import { execFileSync } from 'node:child_process';

/**
 * Rewrites every file derived from the catalogue and the service manifest (the AWS topology, the Service Bus
 * emulator's Config.json, docker-compose.yml, the AsyncAPI document docs/asyncapi.yaml). It runs after the generator's files are on disk, since the
 * derivation imports the catalogue itself.
 */
export function regenerateArtefacts(workspaceRoot: string): void {
  execFileSync('npm', ['run', '-s', 'generate:artefacts'], { cwd: workspaceRoot, stdio: 'inherit' });
}
