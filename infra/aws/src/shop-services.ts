import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { urlVariable, type ServiceManifestEntry } from '@stitch/manifest';
import { DATABASE_PORT, databaseRoleName, type ShopDatabase } from './database';
import { grantServiceRights } from './grant-service-rights';
import { SERVICE_TAG } from './permissions/template-policies';
import type { MessagingTopology } from './messaging-topology';
import type { ServiceRights } from './service-rights';
import type { ShopImages } from './shop-images';
import { TraceCollector } from './trace-collector';

const CONTAINER_PORT_NAME = 'http';

export interface ShopServicesProps {
  readonly vpc: ec2.IVpc;
  readonly services: readonly ServiceManifestEntry[];
  readonly rightsOf: (service: string) => ServiceRights;
  readonly messaging: MessagingTopology;
  readonly database: ShopDatabase;
  readonly images: ShopImages;
  readonly prefix: string;
  readonly shopId: string;
  /** The most tasks a consumer scales out to on its queue backlog; it never goes below one. */
  readonly maxConsumerTasks: number;
  readonly logRetention: logs.RetentionDays;
  /** With a certificate the storefront answers on HTTPS and redirects HTTP; without, on HTTP only. */
  readonly certificate?: acm.ICertificate;
  readonly production: boolean;
}

/**
 * One Fargate service per app of the manifest, in the private subnets. The public one sits behind an Application Load
 * Balancer that routes on readiness; the others are reached over ECS Service Connect by the names the manifest gives
 * them. Each task gets its own role with its own rights, and every secret arrives as an ECS secret.
 */
export class ShopServices extends Construct {
  readonly cluster: ecs.Cluster;
  readonly storefrontUrl: string;
  loadBalancer!: elbv2.ApplicationLoadBalancer;
  accessLogBucket!: s3.Bucket;
  private readonly services = new Map<string, ecs.FargateService>();

  constructor(scope: Construct, id: string, props: ShopServicesProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: 'stitch.internal', useForServiceConnect: true },
    });
    const sharedSecrets = this.sharedSecrets(props.services);
    const publicServices = props.services.filter((service) => service.publicHttp);
    if (publicServices.length !== 1) throw new Error(`ShopServices: exactly one public service expected, found ${publicServices.length}`);
    const called = new Set(props.services.flatMap((service) => service.calls));
    let storefrontUrl: string | undefined;

    for (const service of props.services) {
      const taskDefinition = this.taskDefinition(service, props, sharedSecrets);
      const serviceConnectConfiguration: ecs.ServiceConnectProps = called.has(service.name)
        ? { services: [{ portMappingName: CONTAINER_PORT_NAME, dnsName: service.name, port: service.port }] }
        : {};
      let fargate: ecs.FargateService;
      if (service.publicHttp) {
        const balanced = this.publicService(service, taskDefinition, props);
        fargate = balanced.service;
        fargate.enableServiceConnect(serviceConnectConfiguration);
        storefrontUrl = `${props.certificate ? 'https' : 'http'}://${balanced.loadBalancer.loadBalancerDnsName}`;
      } else {
        fargate = new ecs.FargateService(this, service.name, {
          cluster: this.cluster,
          serviceName: service.name,
          taskDefinition,
          desiredCount: 1,
          minHealthyPercent: 100,
          circuitBreaker: { rollback: true },
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          serviceConnectConfiguration,
        });
      }
      if (service.database !== undefined)
        fargate.connections.allowToDefaultPort(props.database.instance, `${service.name} to its database`);
      this.scaleOnBacklog(service.name, fargate, props);
      this.services.set(service.name, fargate);
    }
    // Each service accepts connections only from the services the manifest says call it.
    for (const service of props.services) {
      for (const callee of service.calls) {
        this.serviceOf(callee).connections.allowFrom(
          this.serviceOf(service.name),
          ec2.Port.tcp(portOf(props.services, callee)),
          `${service.name} calls ${callee}`,
        );
      }
    }
    if (!storefrontUrl) throw new Error('ShopServices: no public service');
    this.storefrontUrl = storefrontUrl;
  }

  serviceOf(name: string): ecs.FargateService {
    const service = this.services.get(name);
    if (!service) throw new Error(`ShopServices: no service "${name}"`);
    return service;
  }

  /** The manifest's secrets (the session key, the operator credential): generated once, kept in Secrets Manager. */
  private sharedSecrets(services: readonly ServiceManifestEntry[]): Map<string, secretsmanager.Secret> {
    const names = [...new Set(services.flatMap((service) => service.secrets))];
    return new Map(
      names.map((name) => [
        name,
        new secretsmanager.Secret(this, `Secret-${name}`, {
          description: `Stitch ${name}`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
        }),
      ]),
    );
  }

  private taskDefinition(
    service: ServiceManifestEntry,
    props: ShopServicesProps,
    sharedSecrets: Map<string, secretsmanager.Secret>,
  ): ecs.FargateTaskDefinition {
    const taskDefinition = new ecs.FargateTaskDefinition(this, `${service.name}-task`, {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    Tags.of(taskDefinition.taskRole).add(SERVICE_TAG, service.name);
    grantServiceRights(taskDefinition.taskRole, props.rightsOf(service.name), props.messaging);

    const logPrefix = `/stitch/${props.prefix || 'shop'}`;
    const logGroup = new logs.LogGroup(this, `${service.name}-logs`, {
      logGroupName: `${logPrefix}/${service.name}`,
      retention: props.logRetention,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const database = service.database;
    const environment: Record<string, string> = {
      MESSAGING_TRANSPORT: 'aws',
      AWS_REGION: Stack.of(this).region,
      STITCH_SHOP_ID: props.shopId,
      PORT: String(service.port),
      ...(props.prefix ? { STITCH_PREFIX: props.prefix } : {}),
      ...(database !== undefined
        ? {
            DATABASE_URL: `postgresql://${databaseRoleName(service.name)}@${props.database.instance.dbInstanceEndpointAddress}:${DATABASE_PORT}/${database}`,
            DATABASE_TLS_CA: 'aws-rds',
          }
        : {}),
      ...Object.fromEntries(service.calls.map((callee) => [urlVariable(callee), `http://${callee}:${portOf(props.services, callee)}`])),
      // The load balancer is the one proxy in front of the public service; its addresses are inside the VPC.
      ...(service.publicHttp ? { TRUST_PROXY: props.vpc.vpcCidrBlock } : {}),
    };
    const secrets: Record<string, ecs.Secret> = {
      ...(database !== undefined
        ? { DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(props.database.secretOf(service.name), 'password') }
        : {}),
      ...Object.fromEntries(
        service.secrets.map((name) => {
          const secret = sharedSecrets.get(name);
          if (!secret) throw new Error(`ShopServices: no secret ${name}`);
          return [name, ecs.Secret.fromSecretsManager(secret)];
        }),
      ),
    };
    const app = taskDefinition.addContainer(service.name, {
      containerName: service.name,
      image: props.images.imageOf(service.name),
      portMappings: [{ containerPort: service.port, name: CONTAINER_PORT_NAME, appProtocol: ecs.AppProtocol.http }],
      environment,
      secrets,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: service.name, logGroup }),
      // ECS does not run the image's HEALTHCHECK: the same liveness check, declared here.
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${service.port}/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(90),
      },
      // The services finish their in-flight messages on SIGTERM; give them the time they take.
      stopTimeout: Duration.seconds(60),
    });
    const collector = new TraceCollector(this, `${service.name}-telemetry`, {
      taskDefinition,
      app,
      service: service.name,
      logGroup,
      logPrefix,
      metricsNamespace: `Stitch/${props.prefix || 'shop'}/${service.name}`,
      logRetention: props.logRetention,
      production: props.production,
    });
    for (const [name, value] of Object.entries(collector.appEnvironment)) app.addEnvironment(name, value);
    return taskDefinition;
  }

  private publicService(
    service: ServiceManifestEntry,
    taskDefinition: ecs.FargateTaskDefinition,
    props: ShopServicesProps,
  ): ecsPatterns.ApplicationLoadBalancedFargateService {
    const balanced = new ecsPatterns.ApplicationLoadBalancedFargateService(this, service.name, {
      cluster: this.cluster,
      serviceName: service.name,
      taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      publicLoadBalancer: true,
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ...(props.certificate
        ? {
            certificate: props.certificate,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            redirectHTTP: true,
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          }
        : { protocol: elbv2.ApplicationProtocol.HTTP }),
    });
    // Readiness, not liveness: a task whose database or broker is away gets no customers until it is back.
    balanced.targetGroup.configureHealthCheck({ path: '/health/ready', healthyHttpCodes: '200', interval: Duration.seconds(15) });
    balanced.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.production,
    });
    balanced.loadBalancer.logAccessLogs(accessLogs);
    this.loadBalancer = balanced.loadBalancer;
    this.accessLogBucket = accessLogs;
    return balanced;
  }

  /**
   * Competing consumers, made visible: a service that consumes a queue of the catalogue scales out on that queue's
   * backlog (messages waiting) and back in when it is empty, between one task and `maxConsumerTasks`.
   */
  private scaleOnBacklog(service: string, fargate: ecs.FargateService, props: ShopServicesProps): void {
    const queues = props.rightsOf(service).consumes.map((queue) => props.messaging.queue(queue));
    if (queues.length === 0) return;
    const metrics = Object.fromEntries(
      queues.map((queue, index) => [
        `q${index}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      ]),
    );
    const backlog = new cloudwatch.MathExpression({
      expression: Object.keys(metrics).join(' + '),
      usingMetrics: metrics,
      label: `${service} backlog`,
      period: Duration.minutes(1),
    });
    const scaling = fargate.autoScaleTaskCount({ minCapacity: 1, maxCapacity: props.maxConsumerTasks });
    scaling.scaleOnMetric('Backlog', {
      metric: backlog,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 100, change: +1 },
        { lower: 1000, change: +3 },
      ],
      cooldown: Duration.minutes(2),
    });
  }
}

function portOf(services: readonly ServiceManifestEntry[], name: string): number {
  const entry = services.find((service) => service.name === name);
  if (!entry) throw new Error(`ShopServices: no service "${name}" in the manifest`);
  return entry.port;
}
