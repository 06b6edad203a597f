import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as resources from '@pulumi/azure-native/resources';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ShopContainerApps } from './container-apps';
import { DeadLetterAlerts } from './dead-letter-alerts';
import { ServiceIdentities } from './identities';
import { ShopMessaging } from './messaging';
import { ShopMonitoring } from './monitoring';
import { consumedEntities, serviceRights } from './service-rights';

// The program Pulumi runs (Pulumi.yaml's main): the shop's resources, all named from the stack's `prefix`.
const config = new pulumi.Config();
const prefix = config.require('prefix');
if (!/^[a-z][a-z0-9]{2,11}$/.test(prefix)) {
  throw new Error(`Pulumi config "prefix" must be 3 to 12 lower-case letters and digits, starting with a letter; got "${prefix}"`);
}
const location = config.require('location');
const alertActionGroupId = config.get('alertActionGroupId');
const imageTag = config.require('imageTag');
const maxReplicas = config.getNumber('maxReplicas', { min: 1, max: 1000 }) ?? 4;
const shopId = config.get('shopId') ?? prefix;
const stitchPrefix = config.get('stitchPrefix');
// Until the shop has a Key Vault of its own, the secrets are put in a vault by hand and their URIs given here.
const secretUris = config.getObject<Record<string, string>>('secretUris') ?? {};

const subscriptionId = authorization.getClientConfigOutput().subscriptionId;
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

const monitoring = new ShopMonitoring('shop', { resourceGroupName: group.name, location: group.location, prefix });
const deadLetterAlerts = new DeadLetterAlerts('dead-letters', {
  resourceGroupName: group.name,
  prefix,
  messaging,
  ...(alertActionGroupId ? { actionGroupId: alertActionGroupId } : {}),
});
const containerApps = new ShopContainerApps('shop', {
  resourceGroupName: group.name,
  location: group.location,
  subscriptionId,
  prefix,
  services: shopServices,
  identities,
  monitoring,
  serviceBusNamespace: messaging.namespace.name,
  consumes: (service) => consumedEntities(shopCatalogue, service),
  shopId,
  ...(stitchPrefix ? { stitchPrefix } : {}),
  imageTag,
  maxReplicas,
  secretUris,
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
export const containerRegistryLoginServer = containerApps.registry.loginServer;
export const storefrontUrl = containerApps.storefrontUrl;
