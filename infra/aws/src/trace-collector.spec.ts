import { shopServices } from '@stitch/manifest';
import { logGroupArn } from './permissions/iam-actions';
import { isAllowed, statementsOf, type CfnTemplate } from './permissions/template-policies';
import { synthShop, TEST_ENV } from './synth';
import { COLLECTOR_CONTAINER, COLLECTOR_IMAGE, XRAY_WRITE_ACTIONS } from './trace-collector';

const scope = { partition: 'aws', ...TEST_ENV };

type Resource = { Type: string; Properties: Record<string, unknown> };
interface ContainerDefinition {
  Name: string;
  Image: unknown;
  Essential?: boolean;
  RestartPolicy?: { Enabled: boolean };
  Environment?: { Name: string; Value: unknown }[];
  DependsOn?: { ContainerName: string; Condition: string }[];
  HealthCheck?: { Command: string[] };
  LogConfiguration?: { LogDriver: string; Options: Record<string, unknown> };
}
interface CollectorConfig {
  receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
  exporters: { awsxray: { region: string }; awsemf: { namespace: string; log_group_name: string; region: string } };
  service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
}

describe('the trace collector in every task', () => {
  const { template } = synthShop();
  const json = template.toJSON() as CfnTemplate & { Resources: Record<string, Resource> };
  const ofType = (type: string) => Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
  const tasks = ofType('AWS::ECS::TaskDefinition').map(([, task]) => task.Properties.ContainerDefinitions as ContainerDefinition[]);
  const taskOf = (service: string) => {
    const task = tasks.find((containers) => containers.some((container) => container.Name === service));
    if (!task) throw new Error(`no task definition runs ${service}`);
    const find = (name: string) => {
      const container = task.find((candidate) => candidate.Name === name);
      if (!container) throw new Error(`the task of ${service} has no container ${name}`);
      return container;
    };
    return { app: find(service), collector: find(COLLECTOR_CONTAINER), containers: task };
  };
  const logGroupIdOf = (name: string) => {
    const found = ofType('AWS::Logs::LogGroup').find(([, group]) => group.Properties.LogGroupName === name);
    if (!found) throw new Error(`no log group ${name}`);
    return found[0];
  };
  const configOf = (collector: ContainerDefinition): CollectorConfig => {
    const content = collector.Environment?.find((variable) => variable.Name === 'AOT_CONFIG_CONTENT')?.Value;
    if (typeof content !== 'string') throw new Error('the collector has no AOT_CONFIG_CONTENT');
    return JSON.parse(content) as CollectorConfig;
  };

  it('runs beside each app, from the pinned image, not essential, restarted in place, checked by its health check', () => {
    expect(tasks).toHaveLength(shopServices.length);
    expect(COLLECTOR_IMAGE).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/);
    for (const service of shopServices) {
      const { collector, containers } = taskOf(service.name);
      expect(containers.map((container) => container.Name).sort()).toEqual([COLLECTOR_CONTAINER, service.name].sort());
      expect(collector.Image).toBe(COLLECTOR_IMAGE);
      expect(collector.Essential).toBe(false);
      expect(collector.RestartPolicy).toMatchObject({ Enabled: true });
      expect(collector.HealthCheck?.Command).toEqual(['CMD', '/healthcheck']);
    }
  });

  it("writes the collector's own logs into the service's log group", () => {
    for (const service of shopServices) {
      const { collector } = taskOf(service.name);
      expect(collector.LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': { Ref: logGroupIdOf(`/stitch/shop/${service.name}`) }, 'awslogs-stream-prefix': COLLECTOR_CONTAINER },
      });
    }
  });

  it('receives OTLP over HTTP on the loopback only, and sends traces to X-Ray and metrics to its own namespace and log group', () => {
    for (const service of shopServices) {
      const config = configOf(taskOf(service.name).collector);
      expect(config.receivers.otlp.protocols).toEqual({ http: { endpoint: '127.0.0.1:4318' } });
      expect(config.service.pipelines['traces']).toMatchObject({ receivers: ['otlp'], exporters: ['awsxray'] });
      expect(config.service.pipelines['metrics']).toMatchObject({ receivers: ['otlp'], exporters: ['awsemf'] });
      expect(Object.keys(config.service.pipelines).sort()).toEqual(['metrics', 'traces']);
      expect(config.exporters.awsxray.region).toBe(TEST_ENV.region);
      expect(config.exporters.awsemf).toMatchObject({
        region: TEST_ENV.region,
        namespace: `Stitch/shop/${service.name}`,
        log_group_name: `/stitch/shop/${service.name}/metrics`,
      });
      expect(config.service.extensions).toEqual(['health_check']);
      logGroupIdOf(`/stitch/shop/${service.name}/metrics`);
    }
  });

  it('points each app at it with the standard OTLP variables, and starts the app once the collector has started', () => {
    for (const service of shopServices) {
      const { app } = taskOf(service.name);
      expect(app.Environment).toEqual(
        expect.arrayContaining([
          { Name: 'OTEL_EXPORTER_OTLP_ENDPOINT', Value: 'http://localhost:4318' },
          { Name: 'OTEL_EXPORTER_OTLP_PROTOCOL', Value: 'http/protobuf' },
          { Name: 'OTEL_SERVICE_NAME', Value: service.name },
        ]),
      );
      expect(app.DependsOn).toEqual([{ ContainerName: COLLECTOR_CONTAINER, Condition: 'START' }]);
    }
  });

  it('gives each task role exactly the X-Ray writes and writing into its own metrics log group, nothing more', () => {
    for (const service of shopServices) {
      const statements = statementsOf(json, service.name, scope);
      const telemetry = statements.filter((statement) => !(statement.Action ?? []).every((action) => /^(sqs|events):/.test(action)));
      expect(telemetry.map(({ Action, Resource }) => ({ Action: [...(Action ?? [])].sort(), Resource }))).toEqual(
        expect.arrayContaining([
          { Action: [...XRAY_WRITE_ACTIONS].sort(), Resource: ['*'] },
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logGroupArn(`/stitch/shop/${service.name}/metrics`, scope)] },
        ]),
      );
      expect(telemetry).toHaveLength(2);
      for (const other of shopServices.filter((candidate) => candidate.name !== service.name)) {
        const stream = `${logGroupArn(`/stitch/shop/${other.name}/metrics`, scope).slice(0, -1)}log-stream:task`;
        expect(isAllowed(statements, 'logs:PutLogEvents', stream)).toBe(false);
      }
      expect(
        isAllowed(statements, 'logs:PutLogEvents', `${logGroupArn(`/stitch/shop/${service.name}`, scope).slice(0, -1)}log-stream:x`),
      ).toBe(false);
      for (const action of ['cloudwatch:PutMetricData', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'logs:CreateLogGroup'])
        expect(isAllowed(statements, action, '*')).toBe(false);
    }
  });
});
