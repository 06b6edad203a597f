import { outcome, TemporaryWorkspace } from '@stitch/workspace-testing';

// Each case generates into a copy of the workspace, then lints, typechecks and tests what it touched; minutes each.
const generousMs = 20 * 60_000;

describe('nx g @stitch/nx-plugin:message', () => {
  let workspace: TemporaryWorkspace;

  beforeAll(() => {
    workspace = TemporaryWorkspace.create();
  });

  afterAll(() => workspace?.remove());

  it(
    'adds an event and a command with one call each, and the result lints, typechecks and passes its tests',
    async () => {
      const event = await workspace.nx(
        'g',
        '@stitch/nx-plugin:message',
        'ParcelShipped',
        '--kind=event',
        '--owner=order-service',
        '--subscribers=notification-service,email-service',
        '--no-interactive',
      );
      expect(outcome(event)).toEqual({ code: 0, tail: '' });
      const command = await workspace.nx(
        'g',
        '@stitch/nx-plugin:message',
        'ShipParcel',
        '--kind=command',
        '--owner=inventory-service',
        '--senders=order-service',
        '--no-interactive',
      );
      expect(outcome(command)).toEqual({ code: 0, tail: '' });

      expect(workspace.changedFiles()).toEqual(
        [
          'apps/email-service/src/app.module.ts',
          'apps/email-service/src/parcel-shipped/parcel-shipped.handler.spec.ts',
          'apps/email-service/src/parcel-shipped/parcel-shipped.handler.ts',
          'apps/email-service/src/parcel-shipped/parcel-shipped.module.ts',
          'apps/inventory-service/src/app.module.ts',
          'apps/inventory-service/src/ship-parcel/ship-parcel.handler.spec.ts',
          'apps/inventory-service/src/ship-parcel/ship-parcel.handler.ts',
          'apps/inventory-service/src/ship-parcel/ship-parcel.module.ts',
          'apps/notification-service/src/app.module.ts',
          'apps/notification-service/src/parcel-shipped/parcel-shipped.handler.spec.ts',
          'apps/notification-service/src/parcel-shipped/parcel-shipped.handler.ts',
          'apps/notification-service/src/parcel-shipped/parcel-shipped.module.ts',
          'docs/asyncapi.yaml',
          'infra/aws/topology.json',
          'infra/azure/emulator/Config.json',
          'libs/contracts/src/commands/index.ts',
          'libs/contracts/src/commands/ship-parcel.ts',
          'libs/contracts/src/events/index.ts',
          'libs/contracts/src/events/parcel-shipped.ts',
          'libs/contracts/src/shop-catalogue.ts',
        ].sort(),
      );
      expect(workspace.read('libs/contracts/src/events/parcel-shipped.ts')).toContain("type: 'order.parcel-shipped.v1'");
      expect(workspace.read('infra/aws/topology.json')).toContain('order.parcel-shipped.v1');
      expect(workspace.read('infra/azure/emulator/Config.json')).toContain('order.parcel-shipped.v1');
      expect(workspace.read('infra/aws/topology.json')).toContain('inventory.ship-parcel.v1');
      expect(workspace.read('libs/contracts/src/commands/ship-parcel.ts')).toContain('senders: [Services.order],');
      const asyncApi = workspace.read('docs/asyncapi.yaml');
      expect(asyncApi).toContain('  order-service.send.order.parcel-shipped.v1:');
      expect(asyncApi).toContain('  email-service.receive.order.parcel-shipped.v1:');
      expect(asyncApi).toContain('  inventory-service.receive.inventory.ship-parcel.v1:');

      const checked = await workspace.nx(
        'run-many',
        '-t',
        'lint',
        'typecheck',
        'test',
        '-p',
        'contracts',
        'order-service',
        'inventory-service',
        'notification-service',
        'email-service',
        'messaging-aws',
        'messaging-azure-service-bus',
        'topology',
        '--outputStyle=static',
      );
      expect(outcome(checked)).toEqual({ code: 0, tail: '' });
    },
    generousMs,
  );

  it('refuses a command named like an event, writing nothing', async () => {
    const before = workspace.changedFiles();
    const refused = await workspace.nx(
      'g',
      '@stitch/nx-plugin:message',
      'ParcelReturned',
      '--kind=command',
      '--owner=order-service',
      '--senders=storefront',
      '--no-interactive',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('"ParcelReturned" reads as an event; a command is imperative');
    expect(workspace.changedFiles()).toEqual(before);
  });

  it('refuses a command without --senders and an event with them, writing nothing', async () => {
    const before = workspace.changedFiles();
    const unsent = await workspace.nx(
      'g',
      '@stitch/nx-plugin:message',
      'ReturnParcel',
      '--kind=command',
      '--owner=order-service',
      '--no-interactive',
    );
    expect(unsent.code).not.toBe(0);
    expect(unsent.output).toContain('A command needs --senders: the services that send it, comma-separated');
    const sentEvent = await workspace.nx(
      'g',
      '@stitch/nx-plugin:message',
      'ParcelReturned',
      '--kind=event',
      '--owner=order-service',
      '--senders=storefront',
      '--no-interactive',
    );
    expect(sentEvent.code).not.toBe(0);
    expect(sentEvent.output).toContain('An event has no --senders: its one publisher is --owner.');
    expect(workspace.changedFiles()).toEqual(before);
  });

  it('refuses an owner the service manifest does not list, naming the ones it has', async () => {
    const refused = await workspace.nx(
      'g',
      '@stitch/nx-plugin:message',
      'ParcelDelivered',
      '--kind=event',
      '--owner=courier-service',
      '--no-interactive',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('"courier-service" is not in the service manifest; it has storefront, order-service');
  });
});
