import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { documentedSettings } from './checks.ts';

const root = path.resolve(__dirname, '../../..');

/** Every `*.config.ts` whose zod schema names environment variables: one namespace per concern. */
function configFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : configFiles(full);
    return /(\.config|\/config)\.ts$/.test(full) && !full.endsWith('.spec.ts') && readFileSync(full, 'utf8').includes('parseConfig(')
      ? [full]
      : [];
  });
}

describe('.env.example', () => {
  const documented = documentedSettings(readFileSync(path.join(root, '.env.example'), 'utf8'));
  const files = [...configFiles(path.join(root, 'apps')), ...configFiles(path.join(root, 'libs'))];

  it('finds the configuration namespaces', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  it.each(files.map((file) => [path.relative(root, file)]))('lists every variable %s reads', (file) => {
    const schemaKeys = [...readFileSync(path.join(root, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map(
      (match) => match[1] as string,
    );
    expect(schemaKeys.length).toBeGreaterThan(0);
    expect(schemaKeys.filter((name) => !documented.has(name))).toEqual([]);
  });
});
