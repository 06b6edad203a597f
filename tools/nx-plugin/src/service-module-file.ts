import { joinPathFragments, type Tree } from '@nx/devkit';

/** Every service is composed in `src/app.module.ts`; a feature joins it through that definition's `imports`. */
export function appModulePath(service: string): string {
  return joinPathFragments('apps', service, 'src', 'app.module.ts');
}

export function addFeatureModule(tree: Tree, service: string, moduleName: string, importPath: string): void {
  const file = appModulePath(service);
  const text = tree.read(file, 'utf-8');
  if (text === null) throw new Error(`${file} is missing: is "${service}" a service of this workspace?`);
  const definition = text.indexOf('defineService({');
  const opening = text.indexOf('imports: [', definition);
  if (definition < 0 || opening < 0) throw new Error(`${file} has no defineService({ imports: [ … ] }) to add ${moduleName} to.`);
  const start = opening + 'imports: ['.length;
  const end = closingBracket(text, start);
  const listed = text.slice(start, end).trim().replace(/,$/, '');
  const withModule = `${text.slice(0, start)}${listed ? `${listed}, ` : ''}${moduleName}${text.slice(end)}`;
  const imports = [...withModule.matchAll(/^import [\s\S]*?;$/gm)];
  const last = imports.at(-1);
  const at = last ? last.index + last[0].length : 0;
  tree.write(file, `${withModule.slice(0, at)}\nimport { ${moduleName} } from '${importPath}';${withModule.slice(at)}`);
}

/** The index of the `]` that closes the list opened just before `from`, skipping nested brackets. */
function closingBracket(text: string, from: number): number {
  let depth = 0;
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if (char === '[' || char === '(' || char === '{') depth++;
    else if (char === ']' || char === ')' || char === '}') {
      if (depth === 0) return index;
      depth--;
    }
  }
  throw new Error('unbalanced brackets in the imports list');
}
