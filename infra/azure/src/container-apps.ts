import * as pulumi from '@pulumi/pulumi';
import * as app from '@pulumi/azure-native/app';
import type * as inputs from '@pulumi/azure-native/types/input';
import { urlVariable, type ServiceManifestEntry } from '@stitch/manifest';
import type { ShopDatabase } from './database';
import { WORKLOAD_PROFILE, type ShopEnvironment } from './environment';
import type { ServiceIdentities } from './identities';
import type { ShopImages } from './images';
import { secretName, type ShopKeyVault } from './key-vault';
import type { ShopMonitoring } from './monitoring';
import { APPS_SUBNET } from './network';
import type { ShopRegistry } from './registry';
import type { ScalerIdentities } from './scaler-identities';
import type { EntityRef } from './service-rights';

/** A consumer gets one more replica per this many messages waiting in one of its entities. */
export const MESSAGES_PER_REPLICA = '100';

/** Each replica's size: a valid Consumption pair (CPU in 0.25 steps, twice as many GiB), and what the cost figures assume. */
export const REPLICA_RESOURCES = { cpu: 0.5, memory: '1Gi' } as const;

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
  /** The identity each consumer's scale rules read its backlog with, apart from the one its code runs as. */
  readonly scalers: ScalerIdentities;
  readonly monitoring: ShopMonitoring;
  readonly environment: ShopEnvironment;
  readonly registry: ShopRegistry;
  readonly images: ShopImages;
  readonly vault: ShopKeyVault;
  readonly database: ShopDatabase;
  /** The Service Bus namespace's name (its host is `<name>.servicebus.windows.net`). */
  readonly serviceBusNamespace: pulumi.Input<string>;
  /** The entities each service consumes as their one consumer; the service scales out on their backlog. */
  readonly consumes: (service: string) => readonly EntityRef[];
  /** STITCH_SHOP_ID: the shop the namespace is marked for (`topology:azure -- --apply`); a service checks it at start. */
  readonly shopId: string;
  /** STITCH_PREFIX, only when the shop runs with one. */
  readonly stitchPrefix?: string;
  /** The most replicas a service scales out to; it never goes below one. */
  readonly maxReplicas: number;
  /** What must be in place before the apps start, beyond what their inputs name (the services' database roles). */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/**
 * Where the shop's services run: one container app per service of the manifest, in the shop's environment, each running as its own user-assigned identity, which
 * pulls its image, reaches Service Bus and reads its own secrets from Key Vault; so no key or password is in the apps'
 * configuration, only references to vault secrets.
 */
export class ShopContainerApps extends pulumi.ComponentResource {
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
    const { resourceGroupName, location } = args;
    const serviceBusHost = pulumi.interpolate`${args.serviceBusNamespace}.servicebus.windows.net`;
    const registry = args.registry.registry;

    this.environment = args.environment.environment;

    for (const service of args.services) {
      const identity = args.identities.identities.get(service.name);
      if (!identity) throw new Error(`ShopContainerApps: no identity for service ${service.name}`);
      const scaler = args.scalers.identities.get(service.name);
      const consumes = args.consumes(service.name);
      if (consumes.length > 0 && !scaler) throw new Error(`ShopContainerApps: ${service.name} consumes, and has no scaler identity`);
      // Without these in place the first revision could neither pull its image nor resolve its secrets.
      const access: pulumi.Resource[] = [args.registry.grantPull(service.name, identity.principalId)];
      const vaultSecrets = service.secrets.map((variable) => ({ variable, secret: args.vault.generated(secretName(variable)) }));
      const ownDatabase = service.database ? args.database.services.get(service.name) : undefined;
      if (service.database && !ownDatabase) throw new Error(`ShopContainerApps: no database role for ${service.name}`);
      if (ownDatabase) vaultSecrets.push({ variable: 'DATABASE_PASSWORD', secret: ownDatabase.password });
      for (const { secret } of vaultSecrets) access.push(args.vault.grantRead(service.name, identity.principalId, secret));

      const secrets: inputs.app.SecretArgs[] = [
        { name: APP_INSIGHTS_SECRET, value: args.monitoring.appInsightsConnectionString },
        ...vaultSecrets.map(({ variable, secret }) => ({
          name: secretName(variable),
          keyVaultUrl: secret.uri,
          identity: identity.id,
        })),
      ];
      const env: inputs.app.EnvironmentVarArgs[] = [
        { name: 'MESSAGING_TRANSPORT', value: 'azure' },
        { name: 'SERVICEBUS_NAMESPACE', value: serviceBusHost },
        // DefaultAzureCredential takes the managed identity this names; the app also holds its scaler's.
        { name: 'AZURE_CLIENT_ID', value: identity.clientId },
        { name: 'STITCH_SHOP_ID', value: args.shopId },
        ...(args.stitchPrefix ? [{ name: 'STITCH_PREFIX', value: args.stitchPrefix }] : []),
        { name: 'PORT', value: String(service.port) },
        // Inside the environment an app's name reaches its ingress, which forwards to its target port.
        ...service.calls.map((callee) => ({ name: urlVariable(callee), value: `http://${callee}` })),
        // The ingress's proxies sit in the apps subnet: only their X-Forwarded-For names the customer.
        ...(service.publicHttp ? [{ name: 'TRUST_PROXY', value: APPS_SUBNET }] : []),
        ...(ownDatabase ? [{ name: 'DATABASE_URL', value: args.database.urlOf(service.name) }] : []),
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secretRef: APP_INSIGHTS_SECRET },
        // The OTLP endpoint and protocol are the environment's agent's, which Container Apps injects; set here, they
        // would override it.
        { name: 'OTEL_SERVICE_NAME', value: service.name },
        ...vaultSecrets.map(({ variable }) => ({ name: variable, secretRef: secretName(variable) })),
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
            workloadProfileName: WORKLOAD_PROFILE,
            identity: {
              type: app.ManagedServiceIdentityType.UserAssigned,
              userAssignedIdentities: [identity.id, ...(scaler ? [scaler.id] : [])],
            },
            configuration: {
              activeRevisionsMode: app.ActiveRevisionsMode.Single,
              ingress: {
                external: service.publicHttp,
                targetPort: service.port,
                transport: app.IngressTransportMethod.Auto,
                allowInsecure: false,
              },
              registries: [{ server: registry.loginServer, identity: identity.id }],
              secrets,
            },
            template: {
              containers: [
                {
                  name: service.name,
                  image: args.images.refOf(service.name),
                  resources: { ...REPLICA_RESOURCES },
                  env,
                  probes: [probe(app.Type.Liveness, LIVENESS_PATH), probe(app.Type.Readiness, READINESS_PATH)],
                },
              ],
              scale: {
                minReplicas: 1,
                maxReplicas: args.maxReplicas,
                rules: scaler ? consumes.map((entity) => backlogRule(entity, args.serviceBusNamespace, scaler.id)) : [],
              },
            },
          },
          { parent: this, dependsOn: [...access, ...(args.dependsOn ?? [])] },
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

/**
 * KEDA's azure-servicebus scaler on one entity's backlog, reading it as the consumer's scaler identity (no connection
 * string).
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
