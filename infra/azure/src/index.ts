import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as resources from '@pulumi/azure-native/resources';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ShopContainerApps } from './container-apps';
import { ShopDatabase } from './database';
import { DatabaseRolesJob } from './database-roles-job';
import { DeadLetterAlerts } from './dead-letter-alerts';
import { ShopEnvironment } from './environment';
import { ServiceIdentities } from './identities';
import { ShopImages } from './images';
import { ShopKeyVault } from './key-vault';
import { ShopMessaging } from './messaging';
import { ShopMonitoring } from './monitoring';
import { ShopNetwork } from './network';
import { ShopRegistry } from './registry';
import { ShopMarker } from './shop-marker';
import { ScalerIdentities } from './scaler-identities';
import { consumedEntities, serviceRights } from './service-rights';

// The program Pulumi runs (Pulumi.yaml's main): the shop's resources, all named from the stack's `prefix`.
const config = new pulumi.Config();
const prefix = config.require('prefix');
if (!/^[a-z][a-z0-9]{2,11}$/.test(prefix)) {
  throw new Error(`Pulumi config "prefix" must be 3 to 12 lower-case letters and digits, starting with a letter; got "${prefix}"`);
}
const location = config.require('location');
const alertActionGroupId = config.get('alertActionGroupId');
const maxReplicas = config.getNumber('maxReplicas', { min: 1, max: 1000 }) ?? 4;
const shopId = config.get('shopId') ?? prefix;
const stitchPrefix = config.get('stitchPrefix');
const databaseSku = config.get('databaseSku');

const client = authorization.getClientConfigOutput();
const { subscriptionId, tenantId } = client;
const group = new resources.ResourceGroup('shop', { resourceGroupName: `${prefix}-stitch`, location });
const entities = serviceBusEntities(shopCatalogue.topology());
const messaging = new ShopMessaging('shop', {
  resourceGroupName: group.name,
  location: group.location,
  namespaceName: `${prefix}-stitch`,
  entities,
});
const identities = new ServiceIdentities('shop', {
  resourceGroupName: group.name,
  location: group.location,
  subscriptionId,
  prefix,
  rights: shopServices.map((service) => serviceRights(shopCatalogue, entities, service.name, { operator: 'storefront' })),
  messaging,
});

const scalers = new ScalerIdentities('scalers', {
  resourceGroupName: group.name,
  location: group.location,
  subscriptionId,
  prefix,
  scalesOn: new Map(shopServices.map((service) => [service.name, consumedEntities(shopCatalogue, service.name)])),
  messaging,
});

const monitoring = new ShopMonitoring('shop', { resourceGroupName: group.name, location: group.location, prefix });
const deadLetterAlerts = new DeadLetterAlerts('dead-letters', {
  resourceGroupName: group.name,
  prefix,
  messaging,
  ...(alertActionGroupId ? { actionGroupId: alertActionGroupId } : {}),
});
const network = new ShopNetwork('shop', { resourceGroupName: group.name, location: group.location, prefix });
const vault = new ShopKeyVault('shop', { resourceGroupName: group.name, location: group.location, subscriptionId, tenantId, prefix });
const database = new ShopDatabase('shop', {
  resourceGroupName: group.name,
  location: group.location,
  prefix,
  services: shopServices,
  network,
  vault,
  ...(databaseSku ? { sku: databaseSku } : {}),
});
const registry = new ShopRegistry('shop', { resourceGroupName: group.name, location: group.location, subscriptionId, prefix });
const images = new ShopImages('shop', {
  registry: registry.registry,
  tenantId,
  services: shopServices.map((service) => service.name),
  tag: pulumi.getStack(),
});
const environment = new ShopEnvironment('shop', { resourceGroupName: group.name, location: group.location, prefix, monitoring, network });
const databaseRoles = new DatabaseRolesJob('database-roles', {
  resourceGroupName: group.name,
  location: group.location,
  prefix,
  environmentId: environment.environment.id,
  database,
  vault,
  registry,
  images,
});
const marker = new ShopMarker('shop', {
  subscriptionId,
  deployerObjectId: client.objectId,
  messaging,
  shopId,
  ...(stitchPrefix ? { stitchPrefix } : {}),
});
const containerApps = new ShopContainerApps('shop', {
  resourceGroupName: group.name,
  location: group.location,
  subscriptionId,
  prefix,
  services: shopServices,
  identities,
  scalers,
  monitoring,
  environment,
  registry,
  images,
  vault,
  database,
  serviceBusNamespace: messaging.namespace.name,
  consumes: (service) => consumedEntities(shopCatalogue, service),
  shopId,
  ...(stitchPrefix ? { stitchPrefix } : {}),
  maxReplicas,
  dependsOn: [databaseRoles.run, marker.mark],
});

export const resourceGroupName = group.name;
export const serviceBusNamespace = messaging.namespace.name;
export const serviceBusHost = pulumi.interpolate`${messaging.namespace.name}.servicebus.windows.net`;
export const serviceIdentityClientIds = Object.fromEntries(
  [...identities.identities].map(([service, identity]) => [service, identity.clientId]),
);
export const logAnalyticsWorkspaceId = monitoring.workspaceId;
export const appInsightsId = monitoring.appInsightsId;
export const appInsightsConnectionString = monitoring.appInsightsConnectionString;
export const deadLetterAlertIds = Object.fromEntries([...deadLetterAlerts.alerts].map(([entity, alert]) => [entity, alert.id]));
export const containerRegistryLoginServer = registry.registry.loginServer;
export const keyVaultUri = vault.vault.properties.vaultUri;
export const databaseHost = database.host;
export const databaseRolesJob = databaseRoles.job.name;
export const storefrontUrl = containerApps.storefrontUrl;
