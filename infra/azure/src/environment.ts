import * as pulumi from '@pulumi/pulumi';
import * as app from '@pulumi/azure-native/app';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import type { ShopMonitoring } from './monitoring';
import type { ShopNetwork } from './network';

/** The environment's one workload profile: serverless, billed per replica-second. */
export const WORKLOAD_PROFILE = 'Consumption';

export interface ShopEnvironmentArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly prefix: string;
  readonly monitoring: ShopMonitoring;
  readonly network: ShopNetwork;
}

/**
 * The Container Apps environment the services and the database-roles job run in: inside the network's apps subnet, so
 * they reach the private database, with a public ingress for the one app that has external ingress, logging to the
 * shop's workspace.
 */
export class ShopEnvironment extends pulumi.ComponentResource {
  readonly environment: app.ManagedEnvironment;

  constructor(name: string, args: ShopEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopEnvironment', name, {}, opts);
    const { resourceGroupName } = args;
    const workspace = args.monitoring.workspace;
    const sharedKey = operationalinsights
      .getSharedKeysOutput({ resourceGroupName, workspaceName: workspace.name }, { parent: this })
      .apply((keys) => {
        if (!keys.primarySharedKey) throw new Error('ShopEnvironment: the Log Analytics workspace returned no shared key');
        return keys.primarySharedKey;
      });
    this.environment = new app.ManagedEnvironment(
      `${name}-environment`,
      {
        resourceGroupName,
        location: args.location,
        environmentName: `${args.prefix}-stitch`,
        vnetConfiguration: { infrastructureSubnetId: args.network.appsSubnet.id, internal: false },
        workloadProfiles: [{ name: WORKLOAD_PROFILE, workloadProfileType: WORKLOAD_PROFILE }],
        appLogsConfiguration: {
          destination: 'log-analytics',
          logAnalyticsConfiguration: { customerId: workspace.customerId, sharedKey: pulumi.secret(sharedKey) },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ id: this.environment.id });
  }
}
