import path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { databaseRoleName } from '@stitch/persistence/database-roles';
import type { DatabaseRolesProperties } from './handler';

export { databaseRoleName } from '@stitch/persistence/database-roles';

/** One service with a database: `databaseOwners()` of the manifest, and the secret its role's password is kept in. */
export interface DatabaseRolesService {
  /** The service, e.g. `order-service`: its role is `databaseRoleName(service)`, `order_service`. */
  readonly service: string;
  /** Its database, e.g. `stitch_order`. */
  readonly database: string;
  /** Its role's password (`serviceDatabaseSecret`); the service gets this secret's `password` as DATABASE_PASSWORD. */
  readonly secret: secretsmanager.ISecret;
}

export interface DatabaseRolesProps {
  readonly vpc: ec2.IVpc;
  /** Where the function runs: it needs the instance and Secrets Manager (a NAT or an interface endpoint). */
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly instance: rds.IDatabaseInstance;
  /** The instance's master user (`instance.secret`): the one that creates the roles and databases. */
  readonly masterSecret: secretsmanager.ISecret;
  readonly services: readonly DatabaseRolesService[];
}

/**
 * Each service's own PostgreSQL login role, with the password of its own secret, owning its own database, which no
 * other role may connect to. A custom resource applies them whenever the list of services changes (a service added
 * gets its role on the next deploy); deleting it keeps every role and database. Make a service depend on `resource`
 * so it starts once its role exists.
 */
export class DatabaseRoles extends Construct {
  /** The custom resource: `service.node.addDependency(databaseRoles.resource)`. */
  readonly resource: CustomResource;
  /** The function that connects to the instance and applies the roles. */
  readonly handler: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: DatabaseRolesProps) {
    super(scope, id);
    const functionLogs = this.logGroup('FunctionLogs');
    this.handler = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, 'handler.ts'),
      handler: 'onEvent',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: 'Gives each service its own PostgreSQL role and database',
      timeout: Duration.minutes(2),
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      role: this.functionRole('FunctionRole', functionLogs, { inVpc: true }),
      logGroup: functionLogs,
      bundling: {
        // The runtime has the AWS SDK v3; pg's native binding and its Cloudflare socket are never loaded here.
        externalModules: ['@aws-sdk/*', 'pg-native', 'pg-cloudflare'],
        minify: true,
        sourceMap: true,
      },
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });
    props.instance.connections.allowDefaultPortFrom(this.handler, 'the database roles function');
    props.masterSecret.grantRead(this.handler);
    for (const { secret } of props.services) secret.grantRead(this.handler);

    const providerLogs = this.logGroup('ProviderLogs');
    const frameworkRole = this.functionRole('ProviderRole', providerLogs, { inVpc: false });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      frameworkOnEventRole: frameworkRole,
      logGroup: providerLogs,
    });
    const functionId = Stack.of(this).getLogicalId(this.handler.node.defaultChild as CfnElement);
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason: "The Provider framework's function may invoke the roles function; lambda:InvokeFunction on its ARN and its versions (ARN:*).",
    });
    Validations.of(this.handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 24, the LTS line the shop targets and Runtime.NODEJS_LATEST, the newest runtime in every region.',
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "The Provider framework's own function: aws-cdk-lib chooses its runtime.",
    });
    const properties: DatabaseRolesProperties = {
      Host: props.instance.dbInstanceEndpointAddress,
      Port: props.instance.dbInstanceEndpointPort,
      MasterSecretArn: props.masterSecret.secretArn,
      Roles: props.services.map(({ service, database, secret }) => ({
        service,
        database,
        username: databaseRoleName(service),
        secretArn: secret.secretArn,
      })),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StitchDatabaseRoles',
      properties: { ...properties },
    });
    // The function must be let in before it is called: the ingress rule sits with the instance's security groups.
    for (const group of props.instance.connections.securityGroups) this.resource.node.addDependency(group);
  }

  /** A function's role, with only its log group and, in a VPC, the network interfaces Lambda attaches it by. */
  private functionRole(id: string, logGroup: logs.LogGroup, { inVpc }: { inVpc: boolean }): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    if (inVpc) {
      // AWSLambdaVPCAccessExecutionRole's network actions, without its logs:* on every log group.
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Lambda creates and describes the network interfaces of a function in a VPC before they exist: these EC2 actions take no resource ARN.',
      });
    }
    return role;
  }

  private logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
  }
}

export interface ServiceDatabaseSecretProps {
  /** The service, e.g. `order-service`; the secret's username is its role, `order_service`. */
  readonly service: string;
  readonly secretName?: string;
}

/**
 * A service's database secret, `{ username, password }`, with a generated password that needs no escaping in a URL,
 * a shell or SQL. Hand it to `DatabaseRoles` and its `password` field to the service as DATABASE_PASSWORD, beside a
 * DATABASE_URL naming the role: `postgresql://order_service@<endpoint>:5432/stitch_order`.
 */
export function serviceDatabaseSecret(scope: Construct, id: string, props: ServiceDatabaseSecretProps): rds.DatabaseSecret {
  return new rds.DatabaseSecret(scope, id, {
    username: databaseRoleName(props.service),
    ...(props.secretName === undefined ? {} : { secretName: props.secretName }),
    excludeCharacters: ` %+~\`#$&*()|[]{}:;<>?!'/@"\\`,
  });
}
