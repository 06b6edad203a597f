import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DatabaseRoles, serviceDatabaseSecret } from './database-roles/database-roles';

export interface ShopDatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly instanceType: ec2.InstanceType;
  /** Multi-AZ, deletion protection and a final snapshot: what a shop that keeps its data needs. */
  readonly production: boolean;
  /** The services that own data: each gets its own login role and secret. */
  readonly owners: readonly { readonly service: string; readonly database: string }[];
}

export const DATABASE_PORT = 5432;

export { databaseRoleName } from './database-roles/database-roles';

/**
 * One PostgreSQL instance in the isolated subnets, TLS required (`rds.force_ssl`), encrypted at rest. The master
 * credential stays with the database-roles function; each data-owning service gets a role and secret of its own.
 */
export class ShopDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly masterSecret: secretsmanager.ISecret;
  /** Each service's role and database, made at deploy: a service starts after it. */
  readonly roles: DatabaseRoles;
  private readonly secrets = new Map<string, rds.DatabaseSecret>();

  constructor(scope: Construct, id: string, props: ShopDatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Stitch: TLS required on every connection',
      parameters: { 'rds.force_ssl': '1' },
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      parameterGroup,
      instanceType: props.instanceType,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      publiclyAccessible: false,
      port: DATABASE_PORT,
      credentials: rds.Credentials.fromGeneratedSecret('stitch_admin'),
      storageEncrypted: true,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      multiAz: props.production,
      deletionProtection: props.production,
      removalPolicy: props.production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      backupRetention: Duration.days(props.production ? 14 : 1),
      iamAuthentication: false,
      enablePerformanceInsights: false,
      cloudwatchLogsExports: ['postgresql'],
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    });
    if (!this.instance.secret) throw new Error('ShopDatabase: the instance has no generated master secret');
    this.masterSecret = this.instance.secret;
    for (const owner of props.owners)
      this.secrets.set(owner.service, serviceDatabaseSecret(this, `Secret-${owner.service}`, { service: owner.service }));
    this.roles = new DatabaseRoles(this, 'Roles', {
      vpc: props.vpc,
      instance: this.instance,
      masterSecret: this.masterSecret,
      services: props.owners.map((owner) => ({ ...owner, secret: this.secretOf(owner.service) })),
    });
  }

  /** A data-owning service's own secret (`username`, `password`); throws for a service that owns no database. */
  secretOf(service: string): rds.DatabaseSecret {
    const secret = this.secrets.get(service);
    if (!secret) throw new Error(`ShopDatabase: ${service} owns no database in the manifest`);
    return secret;
  }

  get serviceSecrets(): readonly { readonly service: string; readonly secret: rds.DatabaseSecret }[] {
    return [...this.secrets].map(([service, secret]) => ({ service, secret }));
  }
}
