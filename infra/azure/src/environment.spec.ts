import { isSecretInput, ofType, programSettled, recordResources, runProgram, unwrapSecrets, type Registered } from './pulumi-mocks';

/** Whether a secret wrapper sits at `value` or anywhere inside it. */
function holdsSecret(value: unknown): boolean {
  if (isSecretInput(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsSecret);
  return false;
}

describe("the environment's OpenTelemetry agent", () => {
  let registered: Registered[];
  const environment = () => {
    const [found, ...others] = ofType(registered, 'azure-native:app:ManagedEnvironment');
    if (!found || others.length > 0) throw new Error('expected exactly one managed environment');
    return found;
  };
  const appInsights = () => {
    const [found] = ofType(registered, 'azure-native:applicationinsights:Component');
    if (!found) throw new Error('no Application Insights component');
    return found;
  };

  beforeAll(async () => {
    registered = await recordResources();
    await programSettled(runProgram({ prefix: 'shop1', location: 'westeurope' }));
  });

  it("sends the apps' traces and logs to the shop's Application Insights, and no metrics, which that destination refuses", () => {
    const inputs = unwrapSecrets(environment().inputs) as Record<string, unknown>;
    expect(inputs['appInsightsConfiguration']).toEqual({
      connectionString: expect.stringMatching(new RegExp(`^InstrumentationKey=${appInsights().name}-key;`)),
    });
    expect(inputs['openTelemetryConfiguration']).toEqual({
      tracesConfiguration: { destinations: ['appInsights'] },
      logsConfiguration: { destinations: ['appInsights'] },
    });
  });

  it('passes the connection string only as a secret', () => {
    const raw = environment().inputs['appInsightsConfiguration'];
    expect(holdsSecret(raw)).toBe(true);
  });

  it('leaves local authentication on in Application Insights, which the agent ingests with', () => {
    expect(appInsights().inputs['disableLocalAuth']).not.toBe(true);
  });
});
