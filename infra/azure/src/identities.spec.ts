import * as authorization from '@pulumi/azure-native/authorization';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ROLE_DEFINITION_IDS, ServiceIdentities } from './identities';
import { ShopMessaging } from './messaging';
import {
  MOCK_SUBSCRIPTION_ID,
  mockEntityScope,
  mockRoleDefinitionId,
  ofType,
  recordResources,
  settled,
  type Registered,
} from './pulumi-mocks';
import { serviceRights } from './service-rights';

const namespaceId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/stitch-rg/providers/Microsoft.ServiceBus/namespaces/shop1-stitch`;
const scopeOf = mockEntityScope('stitch-rg', 'shop1-stitch');
const roleId = mockRoleDefinitionId;

/** Each service's role assignments as `role-definition scope`, the exactness check the spec applies. */
function assignmentsByService(registered: readonly Registered[]): Map<string, string[]> {
  const identities = ofType(registered, 'azure-native:managedidentity:UserAssignedIdentity');
  const byPrincipal = new Map(
    identities.map((identity) => [`${identity.name}-principal`, String(identity.inputs['resourceName']).replace(/^shop1-/, '')]),
  );
  const found = new Map<string, string[]>();
  for (const assignment of ofType(registered, 'azure-native:authorization:RoleAssignment')) {
    const service = byPrincipal.get(String(assignment.inputs['principalId'])) ?? 'nobody';
    found.set(
      service,
      [...(found.get(service) ?? []), `${String(assignment.inputs['roleDefinitionId'])} ${String(assignment.inputs['scope'])}`].sort(),
    );
  }
  return found;
}

describe('ServiceIdentities', () => {
  const entities = serviceBusEntities(shopCatalogue.topology());
  const rights = shopServices.map((service) => serviceRights(shopCatalogue, entities, service.name, { operator: 'storefront' }));
  const expected = new Map(
    rights.map((r) => [r.service, r.grants.map((grant) => `${roleId(ROLE_DEFINITION_IDS[grant.role])} ${scopeOf(grant.entity)}`).sort()]),
  );
  let registered: Registered[];
  let identities: ServiceIdentities;

  beforeAll(async () => {
    registered = await recordResources();
    const messaging = new ShopMessaging('shop', {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      namespaceName: 'shop1-stitch',
      entities,
    });
    identities = new ServiceIdentities('identity', {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      subscriptionId: MOCK_SUBSCRIPTION_ID,
      prefix: 'shop1',
      rights,
      messaging,
    });
    await settled([...messaging.resources, ...identities.resources]);
  });

  it('makes one user-assigned identity per service of the manifest', () => {
    const names = ofType(registered, 'azure-native:managedidentity:UserAssignedIdentity').map(
      (identity) => identity.inputs['resourceName'],
    );
    expect(names.sort()).toEqual(shopServices.map((service) => `shop1-${service.name}`).sort());
  });

  it("gives each identity exactly its service's rights, each at the entity's own scope, as a service principal", () => {
    expect(assignmentsByService(registered)).toEqual(expected);
    for (const assignment of ofType(registered, 'azure-native:authorization:RoleAssignment')) {
      expect(assignment.inputs['principalType']).toBe('ServicePrincipal');
      expect(String(assignment.inputs['scope'])).not.toBe(namespaceId);
    }
  });

  it("fails the exactness check when one service is granted another's receive right", async () => {
    const intruder = new authorization.RoleAssignment('intruder', {
      principalId: identities.identities.get('notification-service')?.principalId ?? 'missing',
      principalType: 'ServicePrincipal',
      roleDefinitionId: roleId(ROLE_DEFINITION_IDS.receiver),
      scope: scopeOf({ kind: 'queue', name: 'order-service' }),
    });
    await settled([intruder]);
    expect(() => expect(assignmentsByService(registered)).toEqual(expected)).toThrow();
    expect(assignmentsByService(registered).get('notification-service')).toContain(
      `${roleId(ROLE_DEFINITION_IDS.receiver)} ${namespaceId}/queues/order-service`,
    );
  });
});
