import * as pulumi from '@pulumi/pulumi';
import * as resources from '@pulumi/azure-native/resources';
import { shopCatalogue } from '@stitch/contracts';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ShopMessaging } from './messaging';

// The program Pulumi runs (Pulumi.yaml's main): the shop's resources, all named from the stack's `prefix`.
const config = new pulumi.Config();
const prefix = config.require('prefix');
if (!/^[a-z][a-z0-9]{2,11}$/.test(prefix)) {
  throw new Error(`Pulumi config "prefix" must be 3 to 12 lower-case letters and digits, starting with a letter; got "${prefix}"`);
}
const location = config.require('location');

const group = new resources.ResourceGroup('shop', { resourceGroupName: `${prefix}-stitch`, location });
const messaging = new ShopMessaging('shop', {
  resourceGroupName: group.name,
  location: group.location,
  namespaceName: `${prefix}-stitch`,
  entities: serviceBusEntities(shopCatalogue.topology()),
});

export const resourceGroupName = group.name;
export const serviceBusNamespace = messaging.namespace.name;
export const serviceBusHost = pulumi.interpolate`${messaging.namespace.name}.servicebus.windows.net`;
