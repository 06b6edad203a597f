import * as pulumi from '@pulumi/pulumi';
import { shopServices } from '@stitch/manifest';
import { MOCK_SUBSCRIPTION_ID, ofType, recordResources, valueOf, type Registered } from './pulumi-mocks';

type Program = typeof import('./index');

/** Runs the whole program with the given stack config, as `pulumi up` would with that config set on the stack. */
function runProgram(config: Record<string, string>): Program {
  // Config keys are namespaced by the project (Pulumi.yaml's name), as in a stack's Pulumi.<stack>.yaml.
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`stitch:${key}`, value])));
  let program: Program | undefined;
  // A fresh copy of the module each time: the program runs once per load, at import, as under `pulumi up`.
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dynamic import() of a .ts file needs an extension TypeScript and jest disagree on
    program = require('./index') as Program;
  });
  if (!program) throw new Error('the program did not load');
  return program;
}

describe('the Pulumi program', () => {
  const actionGroupId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/on-call`;
  let registered: Registered[];
  let program: Program;

  beforeAll(async () => {
    registered = await recordResources();
    program = runProgram({ prefix: 'shop1', location: 'westeurope', alertActionGroupId: actionGroupId });
    await valueOf(pulumi.all(Object.values(program.deadLetterAlertIds)));
  });

  it('exports where the shop runs and how its services authenticate', async () => {
    expect(await valueOf(program.resourceGroupName)).toBe('shop1-stitch');
    expect(await valueOf(program.serviceBusNamespace)).toBe('shop1-stitch');
    expect(await valueOf(program.serviceBusHost)).toBe('shop1-stitch.servicebus.windows.net');
    expect(Object.keys(program.serviceIdentityClientIds).sort()).toEqual(shopServices.map((service) => service.name).sort());
    for (const clientId of Object.values(program.serviceIdentityClientIds)) expect(await valueOf(clientId)).toMatch(/-client$/);
  });

  it('exports the monitoring ids, and the Application Insights connection string as a secret', async () => {
    expect(await valueOf(program.logAnalyticsWorkspaceId)).toMatch(
      /\/providers\/Microsoft\.OperationalInsights\/workspaces\/shop1-stitch$/,
    );
    expect(await valueOf(program.appInsightsId)).toMatch(/\/providers\/Microsoft\.Insights\/components\/shop1-stitch$/);
    expect(await valueOf(program.appInsightsConnectionString)).toMatch(/^InstrumentationKey=/);
    expect(await pulumi.isSecret(program.appInsightsConnectionString)).toBe(true);
  });

  it('exports one dead-letter alert per watched entity, each notifying the configured action group', () => {
    const alerts = ofType(registered, 'azure-native:monitor:MetricAlert');
    expect(Object.keys(program.deadLetterAlertIds).sort()).toEqual(expect.arrayContaining(['events', 'order-service']));
    expect(alerts).toHaveLength(Object.keys(program.deadLetterAlertIds).length);
    for (const alert of alerts) expect(alert.inputs['actions']).toEqual([{ actionGroupId }]);
  });

  it('grants role definitions in the subscription the credentials are for', () => {
    const assignments = ofType(registered, 'azure-native:authorization:RoleAssignment');
    expect(assignments.length).toBeGreaterThan(0);
    for (const assignment of assignments) {
      expect(String(assignment.inputs['roleDefinitionId'])).toMatch(new RegExp(`^/subscriptions/${MOCK_SUBSCRIPTION_ID}/providers/`));
    }
  });

  it('refuses a prefix that cannot name the resources, saying which config is wrong', () => {
    expect(() => runProgram({ prefix: 'Shop_1', location: 'westeurope' })).toThrow(/Pulumi config "prefix".*got "Shop_1"/);
  });
});
