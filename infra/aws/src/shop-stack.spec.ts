import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { awsEntities } from '@stitch/messaging-aws';
import * as iam from 'aws-cdk-lib/aws-iam';
import { queueArn } from './permissions/iam-actions';
import { isAllowed, SERVICE_TAG, statementsOf, type CfnTemplate } from './permissions/template-policies';
import { CHECK, CONSUME, SEND } from './service-rights';
import { buildShop, synthShop, TEST_ENV } from './synth';
import { COLLECTOR_CONTAINER } from './trace-collector';

const scope = { partition: 'aws', ...TEST_ENV };
const QUEUE_ACTIONS = [
  ...CHECK,
  ...CONSUME,
  ...SEND,
  'sqs:GetQueueAttributes',
  'sqs:PurgeQueue',
  'sqs:SetQueueAttributes',
  'sqs:DeleteQueue',
];

/** Every (action, queue) a service's task role is allowed in the template, over the topology's queues and the queue actions. */
function allowedQueueActions(template: CfnTemplate, service: string, queues: readonly string[]): string[] {
  const statements = statementsOf(template, service, scope);
  return queues.flatMap((queue) =>
    QUEUE_ACTIONS.filter((action) => isAllowed(statements, action, queueArn(queue, scope))).map((action) => `${action} ${queue}`),
  );
}

type Resource = { Type: string; Properties: Record<string, unknown> };
interface ContainerDefinition {
  Name: string;
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  HealthCheck?: { Command: string[] };
  PortMappings: { ContainerPort: number; Name: string }[];
}

describe('the shop stack', () => {
  const { stack, template } = synthShop();
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const containers = ofType('AWS::ECS::TaskDefinition').flatMap(
    ([, task]) => task.Properties.ContainerDefinitions as ContainerDefinition[],
  );
  const containerOf = (service: string) => {
    const container = containers.find((c) => c.Name === service);
    if (!container) throw new Error(`no container ${service}`);
    return container;
  };
  const consumers = shopServices.filter(
    (service) => shopCatalogue.commandsOwnedBy(service.name).length > 0 || shopCatalogue.eventsSubscribedBy(service.name).length > 0,
  );

  it('spans two availability zones, with public, private and isolated subnets', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    expect(
      ofType('AWS::EC2::Subnet')
        .map(
          ([, subnet]) =>
            (subnet.Properties.Tags as { Key: string; Value: string }[]).find((tag) => tag.Key === 'aws-cdk:subnet-name')?.Value,
        )
        .sort(),
    ).toEqual(['database', 'database', 'public', 'public', 'tasks', 'tasks']);
  });

  it('keeps the database private, encrypted, on TLS only, in the isolated subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false, StorageEncrypted: true, Engine: 'postgres' });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    const [[, subnetGroup] = []] = ofType('AWS::RDS::DBSubnetGroup');
    const isolated = ofType('AWS::EC2::Subnet')
      .filter(([, subnet]) =>
        (subnet.Properties.Tags as { Key: string; Value: string }[]).some(
          (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === 'Isolated',
        ),
      )
      .map(([id]) => ({ Ref: id }));
    expect(subnetGroup?.Properties.SubnetIds).toEqual(isolated);
    const [[databaseGroup] = []] = ofType('AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('DatabaseInstanceSecurityGroup'));
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').filter(
      ([, rule]) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [databaseGroup, 'GroupId'] }),
    );
    template.hasResourceProperties('AWS::RDS::DBInstance', { Port: '5432' });
    // Its security group admits only the services that own a database, and the function that makes their roles.
    expect(ingress.map(([, rule]) => rule.Properties.Description).sort()).toEqual(
      [
        ...shopServices.filter((service) => 'database' in service && service.database).map((service) => `${service.name} to its database`),
        'the database roles function',
      ].sort(),
    );
    expect(ingress.every(([, rule]) => rule.Properties.SourceSecurityGroupId !== undefined && rule.Properties.CidrIp === undefined)).toBe(
      true,
    );
  });

  it('runs one Fargate service per app of the manifest, each with its own tagged task role', () => {
    template.resourceCountIs('AWS::ECS::Service', shopServices.length);
    // Beside each app runs its trace collector, which trace-collector.spec.ts checks.
    expect(
      containers
        .map((container) => container.Name)
        .filter((name) => name !== COLLECTOR_CONTAINER)
        .sort(),
    ).toEqual(shopServices.map((service) => service.name).sort());
    for (const service of shopServices) {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] },
        Tags: Match.arrayWith([{ Key: SERVICE_TAG, Value: service.name }]),
      });
    }
  });

  it('gives each task role exactly the rights derived for its service, on the queues, the bus and its rule', () => {
    const json = template.toJSON() as CfnTemplate;
    const queues = stack.messaging.entities.queues.map((queue) => queue.name);
    for (const service of shopServices) {
      const rights = stack.rights.get(service.name);
      const want = (rights?.queues ?? []).flatMap((queue) => queue.actions.map((action) => `${action} ${queue.queue}`)).sort();
      expect(allowedQueueActions(json, service.name, queues).sort()).toEqual(want);
      const statements = statementsOf(json, service.name, scope);
      const bus = `arn:aws:events:${TEST_ENV.region}:${TEST_ENV.account}:event-bus/${stack.messaging.entities.bus}`;
      expect(isAllowed(statements, 'events:PutEvents', bus)).toBe(rights?.putEvents);
      expect(isAllowed(statements, 'events:DescribeEventBus', bus)).toBe(true);
      for (const rule of stack.messaging.entities.rules) {
        const arn = `arn:aws:events:${TEST_ENV.region}:${TEST_ENV.account}:rule/${rule.bus}/${rule.name}`;
        expect(isAllowed(statements, 'events:DescribeRule', arn)).toBe(rule.service === service.name);
      }
    }
  });

  it("fails that check when a task role is granted another service's queue", () => {
    const tampered = buildShop();
    const orderRole = tampered.services.serviceOf('order-service').taskDefinition.taskRole;
    tampered.messaging.queue('payment-service').grantConsumeMessages(orderRole as iam.IRole);
    const queues = tampered.messaging.entities.queues.map((queue) => queue.name);
    expect(allowedQueueActions(Template.fromStack(tampered).toJSON() as CfnTemplate, 'order-service', queues)).toContain(
      'sqs:ReceiveMessage payment-service',
    );
    expect(allowedQueueActions(template.toJSON() as CfnTemplate, 'order-service', queues)).not.toContain(
      'sqs:ReceiveMessage payment-service',
    );
  });

  it('puts only the storefront behind the load balancer, which routes on readiness', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health/ready',
      Port: 80,
      TargetType: 'ip',
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'storefront',
      LoadBalancers: [Match.objectLike({ ContainerName: 'storefront', ContainerPort: 3000 })],
    });
    for (const service of shopServices.filter((s) => !s.publicHttp)) {
      template.hasResourceProperties('AWS::ECS::Service', { ServiceName: service.name, LoadBalancers: Match.absent() });
    }
    template.hasOutput('StorefrontUrl', { Value: { 'Fn::Join': ['', ['http://', Match.anyValue()]] } });
  });

  it('reaches each called service over Service Connect by its manifest name, and checks liveness in every container', () => {
    for (const service of shopServices) {
      const called = shopServices.some((caller) => (caller.calls as readonly string[]).includes(service.name));
      template.hasResourceProperties('AWS::ECS::Service', {
        ServiceName: service.name,
        ServiceConnectConfiguration: called
          ? Match.objectLike({
              Enabled: true,
              Services: [Match.objectLike({ ClientAliases: [{ DnsName: service.name, Port: service.port }] })],
            })
          : Match.objectLike({ Enabled: true }),
      });
      expect(containerOf(service.name).HealthCheck?.Command.join(' ')).toContain(`http://127.0.0.1:${service.port}/health/live`);
      for (const callee of service.calls) {
        const port = shopServices.find((s) => s.name === callee)?.port;
        expect(containerOf(service.name).Environment).toContainEqual({
          Name: `${callee.replace(/-service$/, '').toUpperCase()}_URL`,
          Value: `http://${callee}:${port}`,
        });
      }
    }
  });

  it('passes every secret as an ECS secret, never as a plain environment variable', () => {
    for (const service of shopServices) {
      const container = containerOf(service.name);
      const plain = (container.Environment ?? []).map((variable) => variable.Name);
      const secret = (container.Secrets ?? []).map((variable) => variable.Name);
      expect(plain.filter((name) => /PASSWORD|SECRET|TOKEN|KEY/.test(name))).toEqual([]);
      expect(secret.sort()).toEqual(
        [...service.secrets, ...('database' in service && service.database ? ['DATABASE_PASSWORD'] : [])].sort(),
      );
      const databaseUrl = JSON.stringify(container.Environment?.find((variable) => variable.Name === 'DATABASE_URL')?.Value ?? '');
      expect(databaseUrl).not.toMatch(/postgresql:\/\/[^@"]*:[^@"]*@/);
    }
  });

  it('builds each service image from the Dockerfile for linux/amd64', () => {
    const assembly = (stack.node.root as App).synth();
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { dockerFile?: string; platform?: string; dockerBuildArgs?: Record<string, string> } }>;
    };
    const images = Object.values(manifest.dockerImages).map(({ source }) => source);
    expect(images.map((image) => image.dockerBuildArgs?.SERVICE).sort()).toEqual(shopServices.map((service) => service.name).sort());
    for (const image of images) expect(image).toMatchObject({ dockerFile: 'Dockerfile', platform: 'linux/amd64' });
  });

  it('scales every consumer on its queue backlog, from one task up', () => {
    const entities = awsEntities(shopCatalogue.topology(), '');
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', consumers.length);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', consumers.length * 2);
    for (const service of consumers) {
      const queues = [
        ...(shopCatalogue.commandsOwnedBy(service.name).length > 0 ? [service.name] : []),
        ...(shopCatalogue.eventsSubscribedBy(service.name).length > 0 ? [`${service.name}-events`] : []),
      ];
      expect(queues.every((queue) => entities.queues.some((entity) => entity.name === queue))).toBe(true);
      const alarm = ofType('AWS::CloudWatch::Alarm').find(([, a]) => {
        const metrics = JSON.stringify(a.Properties.Metrics ?? '');
        return metrics.includes(`"label":"${service.name} backlog"`) || metrics.includes(`"Label":"${service.name} backlog"`);
      });
      expect(alarm).toBeDefined();
      const queueNames = (
        alarm?.[1].Properties.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } } }[]
      )
        .flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric] : []))
        .map((metric) => {
          expect(metric.MetricName).toBe('ApproximateNumberOfMessagesVisible');
          const [{ Value } = { Value: undefined }] = metric.Dimensions;
          const id = (Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
          return resources[id]?.Properties.QueueName;
        });
      expect(queueNames.sort()).toEqual(queues.sort());
    }
    template.allResourcesProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 4 });
  });

  it('keeps logs for a week, and alarms on every dead-letter queue', () => {
    for (const service of shopServices)
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/stitch/shop/${service.name}`, RetentionInDays: 7 });
    const deadLetterQueues = awsEntities(shopCatalogue.topology(), '').queues.filter((queue) => queue.role.endsWith('dead-letter'));
    for (const queue of deadLetterQueues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${queue.name}-not-empty`,
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});
