import { formatFiles, generateFiles, joinPathFragments, type GeneratorCallback, type Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { addToManifest, readManifest, servicesReference } from '../../manifest-file';
import { checkServiceName, pascalCase, shortName } from '../../names';
import { regenerateArtefacts } from '../../regenerate';

export interface ServiceGeneratorOptions {
  readonly name: string;
  readonly database?: boolean;
  readonly port?: number;
  readonly skipRegenerate?: boolean;
}

/**
 * Adds a service: its manifest entry (which the launcher, the test support, the topology and docker-compose.yml
 * read), and an app under apps/<name> composed like every other service, with its tests and README. With
 * --database it owns `stitch_<short name>`: a Prisma schema of its own beside the shared inbox and outbox
 * (included when the client is generated, never copied into the repository) and an init migration rendered
 * from both by tools/prisma/init-migration.ts.
 */
export async function serviceGenerator(tree: Tree, options: ServiceGeneratorOptions): Promise<GeneratorCallback> {
  const { name } = options;
  checkServiceName(name);
  const services = readManifest(tree);
  if (services.some((service) => service.name === name)) throw new Error(`"${name}" is already in the service manifest.`);
  const root = joinPathFragments('apps', name);
  if (tree.exists(root)) throw new Error(`${root} already exists.`);
  const port = options.port ?? Math.max(...services.map((service) => service.port)) + 1;
  const taken = services.find((service) => service.port === port);
  if (taken) throw new Error(`Port ${port} is ${taken.name}'s; choose another with --port.`);

  const short = shortName(name);
  const database = options.database ? `stitch_${short.replace(/-/g, '_')}` : undefined;
  const description = `The ${short} service${database ? `, on its own database (\`${database}\`)` : ''}.`;
  addToManifest(tree, { name, port, database, description: `the ${short} service` });

  const substitutions = {
    tmpl: '',
    name,
    short,
    port,
    database,
    description,
    servicesRef: servicesReference(short),
    className: `${pascalCase(short)}Service`,
  };
  generateFiles(tree, path.join(__dirname, 'files', 'app'), root, substitutions);
  if (database) generateFiles(tree, path.join(__dirname, 'files', 'database'), root, substitutions);

  await formatFiles(tree);
  return () => {
    // The migration is rendered from the schema files on disk, with a PostgreSQL server for the engine's
    // shadow database: it can only run once the generator's files are written.
    if (database) {
      execFileSync(process.execPath, ['--require', '@swc-node/register', 'tools/prisma/init-migration.ts', '--service', root], {
        cwd: tree.root,
        stdio: 'inherit',
      });
    }
    // The app is a workspace package, and `npm ci` refuses a lockfile that does not list it; only the lockfile is
    // touched, so node_modules (and a workspace whose node_modules is shared) stays as it is.
    execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: tree.root,
      stdio: 'inherit',
    });
    if (!options.skipRegenerate) regenerateArtefacts(tree.root);
  };
}

export default serviceGenerator;
