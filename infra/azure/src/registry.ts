import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as containerregistry from '@pulumi/azure-native/containerregistry';

/** AcrPull, Azure's built-in role to pull images from a registry: the same id in every subscription. */
export const ACR_PULL_ROLE_ID = '7f951dda-4ed3-4680-a7ca-43fe172d538d';

export interface ShopRegistryArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly prefix: string;
}

/** The shop's container registry: no admin user, so pulling takes an identity granted AcrPull and pushing an Entra sign-in. */
export class ShopRegistry extends pulumi.ComponentResource {
  readonly registry: containerregistry.Registry;
  readonly resources: pulumi.CustomResource[] = [];

  constructor(
    private readonly name: string,
    private readonly args: ShopRegistryArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('stitch:azure:ShopRegistry', name, {}, opts);
    this.registry = new containerregistry.Registry(
      `${name}-registry`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        // Registry names are letters and digits only, and global.
        registryName: `${args.prefix}stitch`,
        sku: { name: containerregistry.SkuName.Basic },
        adminUserEnabled: false,
      },
      { parent: this },
    );
    this.resources.push(this.registry);
    this.registerOutputs({ loginServer: this.registry.loginServer });
  }

  grantPull(grantee: string, principalId: pulumi.Input<string>): authorization.RoleAssignment {
    const assignment = new authorization.RoleAssignment(
      `${this.name}-${grantee}-acr-pull`,
      {
        principalId,
        principalType: authorization.PrincipalType.ServicePrincipal,
        roleDefinitionId: pulumi.interpolate`/subscriptions/${this.args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL_ROLE_ID}`,
        scope: this.registry.id,
      },
      { parent: this },
    );
    this.resources.push(assignment);
    return assignment;
  }
}
