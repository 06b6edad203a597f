import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as command from '@pulumi/command';
import type { ShopMessaging } from './messaging';
import { SERVICE_BUS_DATA_OWNER_ROLE_ID } from './scaler-identities';

const MARK_SHOP_SCRIPT = path.resolve(__dirname, '../scripts/mark-shop.sh');

export interface ShopMarkerArgs {
  readonly subscriptionId: pulumi.Input<string>;
  /** The object id of whoever runs the deploy (a user or a pipeline's service principal). */
  readonly deployerObjectId: pulumi.Input<string>;
  readonly messaging: ShopMessaging;
  readonly shopId: string;
  readonly stitchPrefix?: string;
}

/**
 * A service starts only in a namespace marked for its shop (a message in queue `stitch-shop`), which no ARM resource
 * can write: the deploy marks it with `topology:azure -- --apply`, the tool that provisions a namespace by hand, as the
 * deployer, who is given Data Owner on this namespace for it. Once marked, the tool finds nothing else to change,
 * since the program made every entity it plans.
 */
export class ShopMarker extends pulumi.ComponentResource {
  readonly deployerAccess: authorization.RoleAssignment;
  readonly mark: command.local.Command;

  constructor(name: string, args: ShopMarkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopMarker', name, {}, opts);
    this.deployerAccess = new authorization.RoleAssignment(
      `${name}-deployer-owns-namespace`,
      {
        principalId: args.deployerObjectId,
        roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SERVICE_BUS_DATA_OWNER_ROLE_ID}`,
        scope: args.messaging.namespace.id,
      },
      { parent: this },
    );
    this.mark = new command.local.Command(
      `${name}-mark`,
      {
        create: `bash ${JSON.stringify(MARK_SHOP_SCRIPT)}`,
        environment: {
          SERVICEBUS_NAMESPACE: pulumi.interpolate`${args.messaging.namespace.name}.servicebus.windows.net`,
          STITCH_SHOP_ID: args.shopId,
          ...(args.stitchPrefix ? { STITCH_PREFIX: args.stitchPrefix } : {}),
        },
        triggers: [args.shopId, args.stitchPrefix ?? ''],
      },
      { parent: this, dependsOn: [this.deployerAccess, ...args.messaging.resources] },
    );
    this.registerOutputs({});
  }
}
