import * as pulumi from '@pulumi/pulumi';
import * as network from '@pulumi/azure-native/network';
import * as privatedns from '@pulumi/azure-native/privatedns';

export const ADDRESS_SPACE = '10.40.0.0/16';
/** The Container Apps environment's subnet; /23 leaves room for the replicas KEDA adds (a /27 is the minimum). */
export const APPS_SUBNET = '10.40.0.0/23';
export const DATABASE_SUBNET = '10.40.2.0/24';

export interface ShopNetworkArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly prefix: string;
}

/**
 * The shop's private network: one subnet the Container Apps environment runs in, one the PostgreSQL server is injected
 * into, and the private DNS zone through which the apps find the server by name. Nothing in it has a public address
 * but the environment's ingress.
 */
export class ShopNetwork extends pulumi.ComponentResource {
  readonly virtualNetwork: network.VirtualNetwork;
  readonly appsSubnet: network.Subnet;
  readonly databaseSubnet: network.Subnet;
  readonly databaseDnsZone: privatedns.PrivateZone;
  readonly databaseDnsLink: privatedns.VirtualNetworkLink;
  readonly resources: pulumi.CustomResource[];

  constructor(name: string, args: ShopNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopNetwork', name, {}, opts);
    const { resourceGroupName } = args;
    this.virtualNetwork = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        resourceGroupName,
        location: args.location,
        virtualNetworkName: `${args.prefix}-stitch`,
        addressSpace: { addressPrefixes: [ADDRESS_SPACE] },
      },
      // The subnets are resources of their own; the network's own list of them is Azure's to keep.
      { parent: this, ignoreChanges: ['subnets'] },
    );
    const subnet = (subnetName: string, addressPrefix: string, service: string, after?: pulumi.Resource) =>
      new network.Subnet(
        `${name}-${subnetName}`,
        {
          resourceGroupName,
          virtualNetworkName: this.virtualNetwork.name,
          subnetName,
          addressPrefix,
          delegations: [{ name: service.replace(/\//g, '.'), serviceName: service }],
          // Outbound traffic leaves through the service's own egress, never a default public address of the subnet.
          defaultOutboundAccess: false,
        },
        // Azure refuses two subnet changes on one network at once.
        { parent: this, ...(after ? { dependsOn: [after] } : {}) },
      );
    this.appsSubnet = subnet('apps', APPS_SUBNET, 'Microsoft.App/environments');
    this.databaseSubnet = subnet('database', DATABASE_SUBNET, 'Microsoft.DBforPostgreSQL/flexibleServers', this.appsSubnet);
    // A flexible server's zone must end in .postgres.database.azure.com; the prefix keeps two shops' zones apart.
    this.databaseDnsZone = new privatedns.PrivateZone(
      `${name}-database-dns`,
      { resourceGroupName, location: 'global', privateZoneName: `${args.prefix}-stitch.private.postgres.database.azure.com` },
      { parent: this },
    );
    this.databaseDnsLink = new privatedns.VirtualNetworkLink(
      `${name}-database-dns-link`,
      {
        resourceGroupName,
        location: 'global',
        privateZoneName: this.databaseDnsZone.name,
        virtualNetworkLinkName: `${args.prefix}-stitch`,
        virtualNetwork: { id: this.virtualNetwork.id },
        registrationEnabled: false,
      },
      { parent: this },
    );
    this.resources = [this.virtualNetwork, this.appsSubnet, this.databaseSubnet, this.databaseDnsZone, this.databaseDnsLink];
    this.registerOutputs({});
  }
}
