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

/** Where the environment's OpenTelemetry agent sends what the apps export: the destination's name in its configuration. */
export const TELEMETRY_DESTINATION = 'appInsights';

/**
 * The Container Apps environment the services and the database-roles job run in: inside the network's apps subnet, so
 * they reach the private database, with a public ingress for the one app that has external ingress, logging to the
 * shop's workspace.
 *
 * Its managed OpenTelemetry agent takes the apps' traces and logs to Application Insights; Container Apps injects the
 * agent's address into every app as OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=grpc, the only
 * protocol the agent accepts). Metrics stay out: the agent's Application Insights destination does not take them.
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
        // The connection string carries the ingestion key: it stays the secret ShopMonitoring made it.
        appInsightsConfiguration: { connectionString: args.monitoring.appInsightsConnectionString },
        openTelemetryConfiguration: {
          tracesConfiguration: { destinations: [TELEMETRY_DESTINATION] },
          logsConfiguration: { destinations: [TELEMETRY_DESTINATION] },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ id: this.environment.id });
  }
}
