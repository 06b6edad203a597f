import { formatFiles, generateFiles, joinPathFragments, type GeneratorCallback, type Tree } from '@nx/devkit';
import path from 'node:path';
import { readManifest, servicesReference } from '../../manifest-file';
import { checkMessageName, kebabCase, messageType } from '../../names';
import { regenerateArtefacts } from '../../regenerate';
import { addFeatureModule } from '../../service-module-file';

export interface MessageGeneratorOptions {
  readonly name: string;
  readonly kind: 'command' | 'event';
  readonly owner: string;
  readonly subscribers?: string;
  /** A command's senders, comma-separated. */
  readonly senders?: string;
  readonly version?: number;
  readonly skipRegenerate?: boolean;
}

const contractsRoot = 'libs/contracts/src';

/**
 * Adds a message to the shop: its schema under contracts (commands/ or events/), its export, its catalogue entry,
 * and a handler with a spec in each service that receives it (a command's owner, an event's subscribers). Every
 * file derived from the catalogue is regenerated after the files are written.
 */
export async function messageGenerator(tree: Tree, options: MessageGeneratorOptions): Promise<GeneratorCallback> {
  const { name, kind, owner } = options;
  checkMessageName(name, kind);
  const services = readManifest(tree).map((service) => service.name);
  const subscribers = serviceList(options.subscribers);
  const senders = serviceList(options.senders);
  if (kind === 'command' && subscribers.length > 0) {
    throw new Error('A command has one owner and no subscribers; drop --subscribers, or make it an event.');
  }
  if (kind === 'command' && senders.length === 0) {
    throw new Error('A command needs --senders: the services that send it, comma-separated, e.g. --senders=order-service.');
  }
  if (kind === 'event' && senders.length > 0) {
    throw new Error('An event has no --senders: its one publisher is --owner. Drop --senders, or make it a command.');
  }
  for (const service of [owner, ...subscribers, ...senders]) {
    if (!services.includes(service)) throw new Error(`"${service}" is not in the service manifest; it has ${services.join(', ')}.`);
  }

  const fileName = kebabCase(name);
  const folder = kind === 'command' ? 'commands' : 'events';
  const type = messageType(owner, name, options.version ?? 1);
  const messageFile = joinPathFragments(contractsRoot, folder, `${fileName}.ts`);
  if (tree.exists(messageFile)) throw new Error(`${messageFile} already exists.`);
  if (contractsMention(tree, `'${type}'`)) throw new Error(`The type ${type} is already in the catalogue.`);

  generateFiles(tree, path.join(__dirname, 'files', folder), joinPathFragments(contractsRoot, folder), {
    tmpl: '',
    fileName,
    name,
    type,
    ownerName: owner,
    owner: servicesReference(serviceKey(tree, owner)),
    subscriberList: subscribers.map((service) => servicesReference(serviceKey(tree, service))).join(', '),
    senderList: senders.map((service) => servicesReference(serviceKey(tree, service))).join(', '),
  });
  appendLine(tree, joinPathFragments(contractsRoot, folder, 'index.ts'), `export * from './${fileName}';`);
  addToCatalogue(tree, name, folder);

  const handlers = kind === 'command' ? [owner] : subscribers;
  for (const service of handlers) addHandler(tree, service, { name, fileName, kind });

  await formatFiles(tree);
  return () => {
    if (!options.skipRegenerate) regenerateArtefacts(tree.root);
  };
}

/** `a, b,` → `['a', 'b']`. */
function serviceList(option: string | undefined): string[] {
  return (option ?? '')
    .split(',')
    .map((service) => service.trim())
    .filter(Boolean);
}

function contractsMention(tree: Tree, text: string): boolean {
  for (const folder of ['commands', 'events']) {
    const dir = joinPathFragments(contractsRoot, folder);
    for (const file of tree.children(dir)) {
      if (tree.read(joinPathFragments(dir, file), 'utf-8')?.includes(text)) return true;
    }
  }
  return false;
}

/** The key of `Services` that names a service, e.g. `order` for order-service. */
function serviceKey(tree: Tree, service: string): string {
  const entry = readManifest(tree).find((candidate) => candidate.name === service);
  if (!entry) throw new Error(`"${service}" is not in the service manifest.`);
  return entry.key;
}

function appendLine(tree: Tree, file: string, line: string): void {
  const text = tree.read(file, 'utf-8') ?? '';
  tree.write(file, `${text.trimEnd()}\n${line}\n`);
}

/** The catalogue lists every message once; the new one goes last in the list and in its folder's import. */
function addToCatalogue(tree: Tree, name: string, folder: 'commands' | 'events'): void {
  const file = joinPathFragments(contractsRoot, 'shop-catalogue.ts');
  let text = tree.read(file, 'utf-8');
  if (!text) throw new Error(`${file} is missing.`);
  const importPattern = new RegExp(`import \\{([^}]*)\\} from '\\./${folder}';`);
  const imported = importPattern.exec(text);
  if (!imported) throw new Error(`${file} does not import from './${folder}'.`);
  const names = [
    ...imported[1]!
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    name,
  ];
  text = text.replace(importPattern, `import { ${names.join(', ')} } from './${folder}';`);
  const list = /messages: \[([\s\S]*?)\n(\s*)\]/.exec(text);
  if (!list) throw new Error(`${file} has no "messages: [ … ]" list.`);
  const [whole, entries, indent] = list;
  text = text.replace(whole, `messages: [${entries!.replace(/,?\s*$/, ',')}\n${indent}  ${name},\n${indent}]`);
  tree.write(file, text);
}

function addHandler(tree: Tree, service: string, message: { name: string; fileName: string; kind: 'command' | 'event' }): void {
  const featureDir = joinPathFragments('apps', service, 'src', message.fileName);
  if (tree.exists(featureDir)) throw new Error(`${featureDir} already exists in ${service}.`);
  generateFiles(tree, path.join(__dirname, 'files', 'handler'), featureDir, {
    tmpl: '',
    ...message,
    service,
    className: `${message.name}Handler`,
    moduleName: `${message.name}Module`,
  });
  addFeatureModule(tree, service, `${message.name}Module`, `./${message.fileName}/${message.fileName}.module`);
}

export default messageGenerator;
