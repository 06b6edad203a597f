import * as pulumi from '@pulumi/pulumi';
import * as applicationinsights from '@pulumi/azure-native/applicationinsights';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';

export interface ShopMonitoringArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly prefix: string;
}

/** How long the workspace keeps logs and telemetry: the most PerGB2018 keeps at no retention charge. */
export const RETENTION_DAYS = 30;

/**
 * Where the shop's logs and telemetry go: a Log Analytics workspace, and a workspace-based Application Insights
 * resource that stores into it (classic Application Insights, with a store of its own, is retired), so logs, traces
 * and metrics are queried in one place under one retention.
 */
export class ShopMonitoring extends pulumi.ComponentResource {
  readonly workspace: operationalinsights.Workspace;
  readonly appInsights: applicationinsights.Component;
  readonly workspaceId: pulumi.Output<string>;
  readonly appInsightsId: pulumi.Output<string>;
  /** Carries the ingestion key: a secret, so Pulumi encrypts it in the state and masks it in its output. */
  readonly appInsightsConnectionString: pulumi.Output<string>;
  readonly resources: pulumi.CustomResource[];

  constructor(name: string, args: ShopMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopMonitoring', name, {}, opts);
    this.workspace = new operationalinsights.Workspace(
      `${name}-workspace`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        workspaceName: `${args.prefix}-stitch`,
        sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
        retentionInDays: RETENTION_DAYS,
      },
      { parent: this },
    );
    this.appInsights = new applicationinsights.Component(
      `${name}-app-insights`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceName: `${args.prefix}-stitch`,
        kind: 'web',
        applicationType: applicationinsights.ApplicationType.Web,
        ingestionMode: applicationinsights.IngestionMode.LogAnalytics,
        workspaceResourceId: this.workspace.id,
      },
      { parent: this },
    );
    this.resources = [this.workspace, this.appInsights];
    this.workspaceId = this.workspace.id;
    this.appInsightsId = this.appInsights.id;
    this.appInsightsConnectionString = pulumi.secret(this.appInsights.connectionString);
    this.registerOutputs({ workspaceId: this.workspaceId, appInsightsId: this.appInsightsId });
  }
}
