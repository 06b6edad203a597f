import * as pulumi from '@pulumi/pulumi';
import { ShopMonitoring } from './monitoring';
import { MOCK_SUBSCRIPTION_ID, ofType, recordResources, settled, valueOf, type Registered } from './pulumi-mocks';

describe('ShopMonitoring', () => {
  const group = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/stitch-rg`;
  const workspaceId = `${group}/providers/Microsoft.OperationalInsights/workspaces/shop1-stitch`;
  let registered: Registered[];
  let monitoring: ShopMonitoring;

  beforeAll(async () => {
    registered = await recordResources();
    monitoring = new ShopMonitoring('shop', { resourceGroupName: 'stitch-rg', location: 'westeurope', prefix: 'shop1' });
    await settled(monitoring.resources);
  });

  it('makes a pay-per-GB Log Analytics workspace keeping 30 days', () => {
    const workspaces = ofType(registered, 'azure-native:operationalinsights:Workspace');
    expect(workspaces).toHaveLength(1);
    expect(workspaces[0]?.inputs).toMatchObject({
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      workspaceName: 'shop1-stitch',
      sku: { name: 'PerGB2018' },
      retentionInDays: 30,
    });
  });

  it('makes a web Application Insights that stores into that workspace', () => {
    const components = ofType(registered, 'azure-native:applicationinsights:Component');
    expect(components).toHaveLength(1);
    expect(components[0]?.inputs).toMatchObject({
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      resourceName: 'shop1-stitch',
      kind: 'web',
      applicationType: 'web',
      ingestionMode: 'LogAnalytics',
      workspaceResourceId: workspaceId,
    });
  });

  it('exposes both ids, and the connection string only as a secret', async () => {
    expect(await valueOf(monitoring.workspaceId)).toBe(workspaceId);
    expect(await valueOf(monitoring.appInsightsId)).toBe(`${group}/providers/Microsoft.Insights/components/shop1-stitch`);
    expect(await valueOf(monitoring.appInsightsConnectionString)).toMatch(/^InstrumentationKey=/);
    expect(await pulumi.isSecret(monitoring.appInsightsConnectionString)).toBe(true);
    expect(await pulumi.isSecret(monitoring.appInsights.connectionString)).toBe(false);
  });

  it('makes nothing else', () => {
    expect([...new Set(registered.map((resource) => resource.type))].sort()).toEqual([
      'azure-native:applicationinsights:Component',
      'azure-native:operationalinsights:Workspace',
      'stitch:azure:ShopMonitoring',
    ]);
  });
});
