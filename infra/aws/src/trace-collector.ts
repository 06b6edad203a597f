import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The AWS Distro for OpenTelemetry collector, pinned: a new version is a reviewed change, never a surprise at deploy. */
export const COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0';
export const COLLECTOR_CONTAINER = 'otel-collector';
/** OTLP over HTTP, the port the OpenTelemetry SDKs default to for it. */
export const OTLP_HTTP_PORT = 4318;
/** The health_check extension's port, which the image's `/healthcheck` binary probes. */
const HEALTH_CHECK_PORT = 13133;

/** Exactly what the awsxray exporter calls; no sampling actions, since the SDKs sample locally and no awsproxy runs. */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export interface TraceCollectorProps {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The app container, which sends its telemetry to the collector. */
  readonly app: ecs.ContainerDefinition;
  readonly service: string;
  /** The service's log group: the collector's own log lines go there, next to the app's. */
  readonly logGroup: logs.ILogGroup;
  /** `/stitch/<prefix or shop>`, the start of the service's log group name. */
  readonly logPrefix: string;
  /** The CloudWatch namespace the service's metrics appear in. */
  readonly metricsNamespace: string;
  readonly logRetention: logs.RetentionDays;
  readonly production: boolean;
}

/**
 * The collector as a sidecar of one service's task. The app speaks OTLP to it on the task's loopback; it sends traces
 * to X-Ray and metrics to CloudWatch as embedded metric format records in a log group of the service's own, from
 * which CloudWatch extracts them (no cloudwatch:PutMetricData). The task role gets exactly the writes that needs.
 *
 * Not essential: a collector that fails costs the service its telemetry, never its tasks (an essential one would stop
 * the task, and a failed deployment of it would roll the service back). ECS restarts it in place instead, and the app
 * waits only for it to start, not to be healthy, for the same reason.
 */
export class TraceCollector extends Construct {
  readonly container: ecs.ContainerDefinition;
  readonly metricsLogGroup: logs.LogGroup;
  /** What the app needs to export to the collector, with the standard OTLP variables only. */
  readonly appEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TraceCollectorProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const metricsLogGroup = `${props.logPrefix}/${props.service}/metrics`;
    this.metricsLogGroup = new logs.LogGroup(this, 'Metrics', {
      logGroupName: metricsLogGroup,
      retention: props.logRetention,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const config = collectorConfig({
      region,
      metricsNamespace: props.metricsNamespace,
      metricsLogGroup,
    });

    this.container = props.taskDefinition.addContainer(COLLECTOR_CONTAINER, {
      containerName: COLLECTOR_CONTAINER,
      image: ecs.ContainerImage.fromRegistry(COLLECTOR_IMAGE),
      essential: false,
      enableRestartPolicy: true,
      memoryReservationMiB: 64,
      // Not a secret: names, a namespace and a region. Inline, so the task definition shows the whole pipeline.
      environment: { AOT_CONFIG_CONTENT: JSON.stringify(config) },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: COLLECTOR_CONTAINER, logGroup: props.logGroup }),
      healthCheck: {
        command: ['CMD', '/healthcheck'],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
    });
    props.app.addContainerDependencies({ container: this.container, condition: ecs.ContainerDependencyCondition.START });

    props.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: [...XRAY_WRITE_ACTIONS], resources: ['*'] }));
    this.metricsLogGroup.grantWrite(props.taskDefinition.taskRole);

    this.appEnvironment = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${OTLP_HTTP_PORT}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: props.service,
    };
  }
}

/**
 * The collector's pipeline. JSON is YAML, so this object is the configuration file as the collector reads it from
 * AOT_CONFIG_CONTENT; the image's bundled ECS configurations listen on every interface, and add ECS task metrics
 * that Container Insights already collects, so none of them fits.
 */
export function collectorConfig(options: { region: string; metricsNamespace: string; metricsLogGroup: string }): object {
  return {
    extensions: { health_check: { endpoint: `127.0.0.1:${HEALTH_CHECK_PORT}` } },
    // Only the task's own containers share its loopback: nothing else in the VPC can send to it.
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${OTLP_HTTP_PORT}` } } } },
    processors: {
      // The ECS task and cluster as resource attributes, from the task metadata endpoint (no IAM call).
      resourcedetection: { detectors: ['env', 'ecs'] },
      batch: { timeout: '5s' },
    },
    exporters: {
      awsxray: { region: options.region },
      awsemf: {
        region: options.region,
        namespace: options.metricsNamespace,
        log_group_name: options.metricsLogGroup,
        log_stream_name: '{TaskId}',
        // One metric per attribute set the app records, not one per subset too: the subsets multiply the bill.
        dimension_rollup_option: 'NoDimensionRollup',
      },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['resourcedetection', 'batch'], exporters: ['awsxray'] },
        metrics: { receivers: ['otlp'], processors: ['resourcedetection', 'batch'], exporters: ['awsemf'] },
      },
    },
  };
}
