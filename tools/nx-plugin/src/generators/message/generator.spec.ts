import type { Tree } from '@nx/devkit';
import { createTree } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { manifestPath } from '../../manifest-file';
import { messageGenerator, type MessageGeneratorOptions } from './generator';

const repositoryRoot = path.resolve(__dirname, '../../../../..');

/** The files the generator reads and extends, as they are in this workspace. */
function shopTree(): Tree {
  const tree = createTree();
  for (const file of [
    manifestPath,
    'libs/contracts/src/shop-catalogue.ts',
    'libs/contracts/src/commands/index.ts',
    'libs/contracts/src/events/index.ts',
    'apps/inventory-service/src/app.module.ts',
  ]) {
    tree.write(file, readFileSync(path.join(repositoryRoot, file)));
  }
  return tree;
}

const generate = (tree: Tree, options: Omit<MessageGeneratorOptions, 'skipRegenerate'>) =>
  messageGenerator(tree, { ...options, skipRegenerate: true });

describe('message generator: senders', () => {
  it("writes a command's senders into its definition, through the manifest's Services", async () => {
    const tree = shopTree();
    await generate(tree, { name: 'ShipParcel', kind: 'command', owner: 'inventory-service', senders: 'order-service, storefront' });
    expect(tree.read('libs/contracts/src/commands/ship-parcel.ts', 'utf-8')).toContain('senders: [Services.order, Services.storefront],');
  });

  it('refuses a command without senders, writing nothing', async () => {
    const tree = shopTree();
    await expect(generate(tree, { name: 'ShipParcel', kind: 'command', owner: 'inventory-service' })).rejects.toThrow(
      'A command needs --senders: the services that send it, comma-separated, e.g. --senders=order-service.',
    );
    await expect(generate(tree, { name: 'ShipParcel', kind: 'command', owner: 'inventory-service', senders: ' , ' })).rejects.toThrow(
      'A command needs --senders',
    );
    expect(tree.exists('libs/contracts/src/commands/ship-parcel.ts')).toBe(false);
  });

  it('refuses senders for an event, whose one sender is its publisher', async () => {
    const tree = shopTree();
    await expect(generate(tree, { name: 'ParcelShipped', kind: 'event', owner: 'order-service', senders: 'storefront' })).rejects.toThrow(
      'An event has no --senders: its one publisher is --owner. Drop --senders, or make it a command.',
    );
    expect(tree.exists('libs/contracts/src/events/parcel-shipped.ts')).toBe(false);
  });

  it('refuses a sender the service manifest does not list, naming the ones it has', async () => {
    const tree = shopTree();
    await expect(
      generate(tree, { name: 'ShipParcel', kind: 'command', owner: 'inventory-service', senders: 'courier-service' }),
    ).rejects.toThrow('"courier-service" is not in the service manifest; it has storefront, order-service');
  });
});
