import type { Tree } from '@nx/devkit';

/** The service manifest, the one list of the shop's services; read and extended as text, since it is code. */
export const manifestPath = 'libs/manifest/src/manifest.ts';
const endMarker = '// @stitch-manifest: end of services';

export interface ManifestService {
  readonly name: string;
  readonly port: number;
  /** Its key in `Services`: the name without `-service`. */
  readonly key: string;
}

export function readManifest(tree: Tree): ManifestService[] {
  const text = manifestText(tree);
  const list = text.slice(text.indexOf('export const shopServices'), text.indexOf(endMarker));
  return [...list.matchAll(/\{\s*name: '([a-z0-9-]+)',\s*port: (\d+),/g)].map(([, name, port]) => ({
    name: name!,
    port: Number(port),
    key: name!.replace(/-service$/, ''),
  }));
}

export interface NewService {
  readonly name: string;
  readonly port: number;
  readonly database?: string;
  readonly description: string;
}

export function addToManifest(tree: Tree, service: NewService): void {
  const text = manifestText(tree);
  const at = text.indexOf(`  ${endMarker}`);
  if (at < 0) throw new Error(`${manifestPath} has lost its end-of-services marker ("${endMarker}").`);
  const lines = [
    '  {',
    `    name: '${service.name}',`,
    `    port: ${service.port},`,
    ...(service.database ? [`    database: '${service.database}',`] : []),
    '    publicHttp: false,',
    '    replicas: 1,',
    '    calls: [],',
    '    secrets: [],',
    `    description: '${service.description.replace(/'/g, "\\'")}',`,
    '  },',
  ];
  tree.write(manifestPath, `${text.slice(0, at)}${lines.join('\n')}\n${text.slice(at)}`);
}

/** How code names a service through the manifest's `Services`: `Services.order`, or `Services['gift-card']`. */
export function servicesReference(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `Services.${key}` : `Services['${key}']`;
}

function manifestText(tree: Tree): string {
  const text = tree.read(manifestPath, 'utf-8');
  if (text === null) throw new Error(`${manifestPath} is missing: run the generator at the workspace root.`);
  return text;
}
