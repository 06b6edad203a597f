import * as pulumi from '@pulumi/pulumi';
import * as app from '@pulumi/azure-native/app';
import * as authorization from '@pulumi/azure-native/authorization';
import * as containerregistry from '@pulumi/azure-native/containerregistry';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import type * as inputs from '@pulumi/azure-native/types/input';
import { urlVariable, type ServiceManifestEntry } from '@stitch/manifest';
import type { ServiceIdentities } from './identities';
import type { ShopMonitoring } from './monitoring';
import type { EntityRef } from './service-rights';

/** AcrPull, Azure's built-in role to pull images from a registry: the same id in every subscription. */
export const ACR_PULL_ROLE_ID = '7f951dda-4ed3-4680-a7ca-43fe172d538d';

/** A consumer gets one more replica per this many messages waiting in one of its entities. */
export const MESSAGES_PER_REPLICA = '100';

export const LIVENESS_PATH = '/health/live';
export const READINESS_PATH = '/health/ready';

const APP_INSIGHTS_SECRET = 'appinsights-connection-string';

export interface ShopContainerAppsArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly prefix: string;
  readonly services: readonly ServiceManifestEntry[];
  readonly identities: ServiceIdentities;
  readonly monitoring: ShopMonitoring;
  /** The Service Bus namespace's name (its host is `<name>.servicebus.windows.net`). */
  readonly serviceBusNamespace: pulumi.Input<string>;
  /** The entities each service consumes as their one consumer; the service scales out on their backlog. */
  readonly consumes: (service: string) => readonly EntityRef[];
  /** STITCH_SHOP_ID: the shop the namespace is marked for (`topology:azure -- --apply`); a service checks it at start. */
  readonly shopId: string;
  /** STITCH_PREFIX, only when the shop runs with one. */
  readonly stitchPrefix?: string;
  /** The tag of every service's image in the registry. */
  readonly imageTag: string;
  /** The most replicas a service scales out to; it never goes below one. */
  readonly maxReplicas: number;
  /** Each manifest secret's Key Vault secret URI (`https://<vault>.vault.azure.net/secrets/<name>`). */
  readonly secretUris: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Where the shop's services run: a container registry, a Container Apps environment that logs to the shop's
 * workspace, and one container app per service of the manifest, each running as its own user-assigned identity
 * (which pulls its image, reaches Service Bus, and reads its secrets from Key Vault), so no key or password is in the
 * program, the state or the apps' configuration.
 *
 * The images are not built here: `<loginServer>/stitch/<service>:<imageTag>` must be pushed to the registry before
 * `pulumi up` creates the apps (see the README).
 */
export class ShopContainerApps extends pulumi.ComponentResource {
  readonly registry: containerregistry.Registry;
  readonly environment: app.ManagedEnvironment;
  readonly apps = new Map<string, app.ContainerApp>();
  readonly storefrontUrl: pulumi.Output<string>;
  readonly resources: pulumi.CustomResource[] = [];

  constructor(name: string, args: ShopContainerAppsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopContainerApps', name, {}, opts);
    const publicServices = args.services.filter((service) => service.publicHttp);
    if (publicServices.length !== 1) {
      throw new Error(`ShopContainerApps: exactly one service with publicHttp expected, found ${publicServices.length}`);
    }
    const missingSecrets = [...new Set(args.services.flatMap((service) => service.secrets))].filter((secret) => !args.secretUris[secret]);
    if (missingSecrets.length > 0) {
      throw new Error(
        `ShopContainerApps: no Key Vault secret URI for ${missingSecrets.join(', ')}, which the manifest's services read; give each in secretUris`,
      );
    }
    const { resourceGroupName, location } = args;
    const serviceBusHost = pulumi.interpolate`${args.serviceBusNamespace}.servicebus.windows.net`;

    this.registry = this.track(
      new containerregistry.Registry(
        `${name}-registry`,
        {
          resourceGroupName,
          location,
          // Registry names are letters and digits only, and global.
          registryName: `${args.prefix}stitch`,
          sku: { name: containerregistry.SkuName.Basic },
          adminUserEnabled: false,
        },
        { parent: this },
      ),
    );
    const workspace = args.monitoring.workspace;
    const sharedKey = operationalinsights
      .getSharedKeysOutput({ resourceGroupName, workspaceName: workspace.name }, { parent: this })
      .apply((keys) => {
        if (!keys.primarySharedKey) throw new Error('ShopContainerApps: the Log Analytics workspace returned no shared key');
        return keys.primarySharedKey;
      });
    this.environment = this.track(
      new app.ManagedEnvironment(
        `${name}-environment`,
        {
          resourceGroupName,
          location,
          environmentName: `${args.prefix}-stitch`,
          appLogsConfiguration: {
            destination: 'log-analytics',
            logAnalyticsConfiguration: {
              customerId: workspace.customerId,
              sharedKey: pulumi.secret(sharedKey),
            },
          },
        },
        { parent: this },
      ),
    );

    for (const service of args.services) {
      const identity = args.identities.identities.get(service.name);
      if (!identity) throw new Error(`ShopContainerApps: no identity for service ${service.name}`);
      const acrPull = this.track(
        new authorization.RoleAssignment(
          `${name}-${service.name}-acr-pull`,
          {
            principalId: identity.principalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL_ROLE_ID}`,
            scope: this.registry.id,
          },
          { parent: this },
        ),
      );
      const secrets: inputs.app.SecretArgs[] = [
        { name: APP_INSIGHTS_SECRET, value: args.monitoring.appInsightsConnectionString },
        ...service.secrets.map((secret) => ({ name: secretName(secret), keyVaultUrl: args.secretUris[secret], identity: identity.id })),
      ];
      const env: inputs.app.EnvironmentVarArgs[] = [
        { name: 'MESSAGING_TRANSPORT', value: 'azure' },
        { name: 'SERVICEBUS_NAMESPACE', value: serviceBusHost },
        // DefaultAzureCredential takes the managed identity this names; an app may hold several.
        { name: 'AZURE_CLIENT_ID', value: identity.clientId },
        { name: 'STITCH_SHOP_ID', value: args.shopId },
        ...(args.stitchPrefix ? [{ name: 'STITCH_PREFIX', value: args.stitchPrefix }] : []),
        { name: 'PORT', value: String(service.port) },
        // Inside the environment an app's name reaches its ingress, which forwards to its target port.
        ...service.calls.map((callee) => ({ name: urlVariable(callee), value: `http://${callee}` })),
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secretRef: APP_INSIGHTS_SECRET },
        ...service.secrets.map((secret) => ({ name: secret, secretRef: secretName(secret) })),
      ];
      const probe = (type: app.Type, path: string): inputs.app.ContainerAppProbeArgs => ({
        type,
        httpGet: { path, port: service.port, scheme: app.Scheme.HTTP },
        periodSeconds: 15,
      });
      const containerApp = this.track(
        new app.ContainerApp(
          `${name}-${service.name}`,
          {
            resourceGroupName,
            location,
            // Unique within the resource group, and the host name the other apps call it by.
            containerAppName: service.name,
            managedEnvironmentId: this.environment.id,
            identity: { type: app.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
            configuration: {
              activeRevisionsMode: app.ActiveRevisionsMode.Single,
              ingress: {
                external: service.publicHttp,
                targetPort: service.port,
                transport: app.IngressTransportMethod.Auto,
                allowInsecure: false,
              },
              registries: [{ server: this.registry.loginServer, identity: identity.id }],
              secrets,
            },
            template: {
              containers: [
                {
                  name: service.name,
                  image: pulumi.interpolate`${this.registry.loginServer}/stitch/${service.name}:${args.imageTag}`,
                  env,
                  probes: [probe(app.Type.Liveness, LIVENESS_PATH), probe(app.Type.Readiness, READINESS_PATH)],
                },
              ],
              scale: {
                minReplicas: 1,
                maxReplicas: args.maxReplicas,
                rules: args.consumes(service.name).map((entity) => backlogRule(entity, args.serviceBusNamespace, identity.id)),
              },
            },
          },
          // Without AcrPull in place the first revision cannot pull its image.
          { parent: this, dependsOn: [acrPull] },
        ),
      );
      this.apps.set(service.name, containerApp);
    }
    const storefront = this.apps.get(publicServices[0]?.name ?? '');
    if (!storefront) throw new Error('ShopContainerApps: no app for the public service');
    this.storefrontUrl = pulumi.interpolate`https://${storefront.latestRevisionFqdn}`;
    this.registerOutputs({ storefrontUrl: this.storefrontUrl });
  }

  private track<T extends pulumi.CustomResource>(resource: T): T {
    this.resources.push(resource);
    return resource;
  }
}

/** A Container Apps secret name: lower-case letters, digits and '-'. */
function secretName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, '-');
}

/**
 * KEDA's azure-servicebus scaler on one entity's backlog, reading it as the app's own identity (no connection string).
 * Its `namespace` is the namespace's name: the scaler adds the host suffix itself.
 */
function backlogRule(entity: EntityRef, namespace: pulumi.Input<string>, identity: pulumi.Input<string>): inputs.app.ScaleRuleArgs {
  if (entity.kind === 'topic')
    throw new Error(`ShopContainerApps: cannot scale on topic ${entity.name}, only on a queue or a subscription`);
  const where: Record<string, string> =
    entity.kind === 'queue' ? { queueName: entity.name } : { topicName: entity.topic, subscriptionName: entity.name };
  const ruleName = entity.kind === 'queue' ? `queue-${entity.name}` : `subscription-${entity.topic}-${entity.name}`;
  return {
    name: ruleName,
    custom: {
      type: 'azure-servicebus',
      metadata: { ...where, namespace, messageCount: MESSAGES_PER_REPLICA },
      identity,
    },
  };
}
