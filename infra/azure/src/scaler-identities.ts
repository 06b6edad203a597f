import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import { entityScope } from './identities';
import type { ShopMessaging } from './messaging';
import { entityKey, type EntityRef } from './service-rights';

/** Azure Service Bus Data Owner, Azure's built-in role: the same id in every subscription. */
export const SERVICE_BUS_DATA_OWNER_ROLE_ID = '090c5cfd-751d-490a-894a-3ce6f1109419';

export interface ScalerIdentitiesArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly prefix: string;
  /** The entities each consumer scales on: its own queue and subscriptions. */
  readonly scalesOn: ReadonlyMap<string, readonly EntityRef[]>;
  readonly messaging: ShopMessaging;
}

/**
 * KEDA's azure-servicebus scaler reads an entity's message count from its runtime properties, which Service Bus shows
 * only to a manager of the entity (Data Owner; Manage with keys: kedacore/keda#806). So each consumer's scale rules
 * get an identity of their own holding Data Owner on exactly the entities it scales on, and the identity the service's
 * code runs as keeps only Send and Receive: code that could delete or reconfigure its own queue is never deployed.
 */
export class ScalerIdentities extends pulumi.ComponentResource {
  readonly identities = new Map<string, managedidentity.UserAssignedIdentity>();
  readonly resources: pulumi.CustomResource[] = [];

  constructor(name: string, args: ScalerIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ScalerIdentities', name, {}, opts);
    for (const [service, entities] of args.scalesOn) {
      if (entities.length === 0) continue;
      const identity = new managedidentity.UserAssignedIdentity(
        `${name}-${service}`,
        { resourceGroupName: args.resourceGroupName, location: args.location, resourceName: `${args.prefix}-${service}-scaler` },
        { parent: this },
      );
      this.identities.set(service, identity);
      this.resources.push(identity);
      for (const entity of entities) {
        this.resources.push(
          new authorization.RoleAssignment(
            `${name}-${service}-owner-${entityKey(entity).replace(/[ /]/g, '-')}`,
            {
              principalId: identity.principalId,
              principalType: authorization.PrincipalType.ServicePrincipal,
              roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SERVICE_BUS_DATA_OWNER_ROLE_ID}`,
              scope: entityScope(args.messaging, entity),
            },
            { parent: this },
          ),
        );
      }
    }
    this.registerOutputs({});
  }
}
