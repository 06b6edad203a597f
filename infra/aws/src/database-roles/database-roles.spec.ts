import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DatabaseRoles, serviceDatabaseSecret } from './database-roles';

const SERVICES = [
  { service: 'order-service', database: 'stitch_order' },
  { service: 'payment-service', database: 'stitch_payment' },
];

/** A VPC, a PostgreSQL instance and the roles of `services`, synthesized without bundling (esbuild does not run). */
function synth(services = SERVICES, app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })) {
  const stack = new Stack(app, 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const instance = new rds.DatabaseInstance(stack, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    credentials: rds.Credentials.fromGeneratedSecret('stitch'),
    storageEncrypted: true,
  });
  const secrets = services.map(({ service }) => serviceDatabaseSecret(stack, `${service}-secret`, { service }));
  const roles = new DatabaseRoles(stack, 'DatabaseRoles', {
    vpc,
    instance,
    masterSecret: instance.secret!,
    services: services.map((entry, index) => ({ ...entry, secret: secrets[index]! })),
  });
  return { stack, vpc, instance, secrets, roles, template: Template.fromStack(stack) };
}

describe('DatabaseRoles', () => {
  // One synth (a few seconds) for the tests that only read it.
  let synthesized: ReturnType<typeof synth>;
  beforeAll(() => {
    synthesized = synth();
  });

  it('runs its function in the private subnets of the VPC, let in to the instance on its port', () => {
    const { stack, vpc, instance, roles, template } = synthesized;
    const functionId = stack.getLogicalId(roles.handler.node.defaultChild as never);
    const fn = template.findResources('AWS::Lambda::Function')[functionId];
    expect(fn?.['Properties']).toMatchObject({
      Handler: 'index.onEvent',
      Runtime: 'nodejs24.x',
      VpcConfig: { SubnetIds: stack.resolve(vpc.privateSubnets.map((subnet) => subnet.subnetId)) },
    });
    const [functionGroup] = roles.handler.connections.securityGroups;
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: {
        IpProtocol: 'tcp',
        FromPort: stack.resolve(instance.connections.defaultPort?.toRuleJson().fromPort),
        GroupId: stack.resolve(instance.connections.securityGroups[0]!.securityGroupId),
        SourceSecurityGroupId: stack.resolve(functionGroup!.securityGroupId),
      },
    });
    expect(Object.keys(ingress)).toHaveLength(1);
    // The custom resource runs the function only once the rule lets it in.
    const [customResource] = Object.values(template.findResources('Custom::StitchDatabaseRoles'));
    expect(customResource?.['DependsOn']).toEqual(expect.arrayContaining(Object.keys(ingress)));
  });

  it('may read exactly the master secret and the services’ secrets, and no other secret', () => {
    const { stack, instance, secrets, roles, template } = synthesized;
    const role = stack.resolve(roles.handler.role!.roleName) as unknown;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy['Properties']['Roles']) === JSON.stringify([role]))
      .flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as { Action: string | string[]; Resource: unknown }[]);
    const onSecrets = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')));
    const readable = onSecrets.flatMap((statement) => [statement.Resource].flat());
    expect(readable).toEqual(stack.resolve([instance.secret!.secretArn, ...secrets.map((secret) => secret.secretArn)]));
    expect(new Set(onSecrets.flatMap((statement) => [statement.Action].flat()))).toEqual(
      new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
    );

    // Nowhere in the stack may anything act on every secret.
    const everywhere = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')))
      .filter((statement) => [statement.Resource].flat().includes('*'));
    expect(everywhere).toEqual([]);
  });

  it('hands the custom resource the instance, the master secret and each service with its role and secret', () => {
    const { stack, instance, secrets, roles, template } = synthesized;
    template.hasResourceProperties('Custom::StitchDatabaseRoles', {
      Host: stack.resolve(instance.dbInstanceEndpointAddress),
      Port: stack.resolve(instance.dbInstanceEndpointPort),
      MasterSecretArn: stack.resolve(instance.secret!.secretArn),
      Roles: [
        { service: 'order-service', database: 'stitch_order', username: 'order_service', secretArn: stack.resolve(secrets[0]!.secretArn) },
        {
          service: 'payment-service',
          database: 'stitch_payment',
          username: 'payment_service',
          secretArn: stack.resolve(secrets[1]!.secretArn),
        },
      ],
    });
    expect(roles.resource.node.dependencies).toEqual(expect.arrayContaining(instance.connections.securityGroups));
  });

  it('changes the custom resource when a service is added, so the next deploy gives it its role', () => {
    const two = synthesized.template.findResources('Custom::StitchDatabaseRoles');
    const three = synth([...SERVICES, { service: 'email-service', database: 'stitch_email' }]).template.findResources(
      'Custom::StitchDatabaseRoles',
    );
    const roles = (resources: Record<string, Record<string, { Roles: { username: string }[] }>>) =>
      Object.values(resources).flatMap((resource) => resource['Properties']!.Roles.map((role) => role.username));
    expect(roles(two)).toEqual(['order_service', 'payment_service']);
    expect(roles(three)).toEqual(['order_service', 'payment_service', 'email_service']);
  });

  it('leaves cdk-nag (AWS Solutions) nothing to report on its own resources', () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'database-roles-nag-'));
    try {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      // The test stack's VPC, instance and secrets have findings of their own (theirs to settle), so synthesis fails.
      expect(() => synth(SERVICES, app)).toThrow(/AwsSolutions/);
      const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: { ruleName: string; violatingConstructs?: { constructPath?: string }[] }[] }[];
      };
      const ours = report.pluginReports
        .flatMap((plugin) => plugin.violations)
        .flatMap((violation) => (violation.violatingConstructs ?? []).map((resource) => `${violation.ruleName} ${resource.constructPath}`))
        .filter((finding) => finding.includes('/DatabaseRoles/'));
      expect(ours).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('keeps the function’s and the provider’s logs for a bounded time', () => {
    const { template } = synthesized;
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) expect(group['Properties']['RetentionInDays']).toBe(90);
  });
});

describe('serviceDatabaseSecret', () => {
  it('names the service’s role as the username and generates a password that needs no escaping', () => {
    const app = new App();
    const stack = new Stack(app, 'Secrets');
    serviceDatabaseSecret(stack, 'Order', { service: 'order-service', secretName: 'stitch/order-service/database' });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'stitch/order-service/database',
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ username: 'order_service' }),
        GenerateStringKey: 'password',
        ExcludeCharacters: Match.stringLikeRegexp('^ %\\+~`#\\$&\\*\\(\\)\\|\\[\\]\\{\\}:;<>\\?!\'/@"\\\\$'),
      }),
    });
  });
});
