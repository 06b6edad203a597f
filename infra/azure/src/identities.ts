import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import type { ShopMessaging } from './messaging';
import { entityKey, type DataRole, type EntityRef, type ServiceRights } from './service-rights';

/** Azure's built-in role definitions, the same id in every subscription. */
export const ROLE_DEFINITION_IDS: Record<DataRole, string> = {
  sender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39', // Azure Service Bus Data Sender
  receiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0', // Azure Service Bus Data Receiver
};

export interface ServiceIdentitiesArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly prefix: string;
  /** One per service of the manifest. */
  readonly rights: readonly ServiceRights[];
  readonly messaging: ShopMessaging;
}

/**
 * One user-assigned managed identity per service, and one role assignment per right at the entity's own scope (never
 * the namespace's), so a service can reach exactly the queues, topics and subscriptions its rights name.
 */
export class ServiceIdentities extends pulumi.ComponentResource {
  readonly identities = new Map<string, managedidentity.UserAssignedIdentity>();
  readonly resources: pulumi.CustomResource[] = [];

  constructor(name: string, args: ServiceIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ServiceIdentities', name, {}, opts);
    for (const { service, grants } of args.rights) {
      const identity = new managedidentity.UserAssignedIdentity(
        `${name}-${service}`,
        { resourceGroupName: args.resourceGroupName, location: args.location, resourceName: `${args.prefix}-${service}` },
        { parent: this },
      );
      this.identities.set(service, identity);
      this.resources.push(identity);
      for (const { entity, role } of grants) {
        this.resources.push(
          new authorization.RoleAssignment(
            `${name}-${service}-${role}-${entityKey(entity).replace(/[ /]/g, '-')}`,
            {
              principalId: identity.principalId,
              principalType: authorization.PrincipalType.ServicePrincipal,
              roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_DEFINITION_IDS[role]}`,
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

export function entityScope(messaging: ShopMessaging, entity: EntityRef): pulumi.Output<string> {
  if (entity.kind === 'queue') return messaging.queue(entity.name).id;
  if (entity.kind === 'topic') return messaging.topic(entity.name).id;
  return messaging.subscription(entity.topic, entity.name).id;
}
