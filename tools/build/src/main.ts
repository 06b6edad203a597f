// `node tools/build/src/main.ts <service> [--out <dir>]`: the production build of one service into dist/<service>
// (see build-service.ts). Each service's Nx `build` target runs it.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildService } from './build-service.ts';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  const [service] = positionals;
  if (!service || positionals.length > 1) throw new Error('usage: node tools/build/src/main.ts <service> [--out <dir>]');
  // The workspace root, from this file's place in it: the build works from any directory.
  const root = path.resolve(path.dirname(path.resolve(process.argv[1] ?? '')), '../../..');
  const started = Date.now();
  const { outDir, plan } = await buildService(root, service, values.out ? path.resolve(values.out) : undefined);
  console.log(
    `${service}: ${plan.sources.length} files compiled, ${plan.assets.length} copied, packages ${plan.packages.map((pkg) => pkg.name).join(' ')} -> ${path.relative(process.cwd(), outDir) || '.'} (${Date.now() - started} ms)`,
  );
}

main().catch((error: unknown) => {
  console.error(`build failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
