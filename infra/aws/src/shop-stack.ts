import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { shopCatalogue } from '@stitch/contracts';
import { databaseOwners, Services, shopServices } from '@stitch/manifest';
import { ShopDatabase } from './database';
import { DeadLetterAlarms } from './dead-letter-alarms';
import { MessagingTopology } from './messaging-topology';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { ShopNetwork } from './network';
import { serviceRights, type ServiceRights } from './service-rights';
import { ShopImages } from './shop-images';
import { ShopServices } from './shop-services';

export interface ShopStackProps extends StackProps {
  /** Put in front of every queue and the bus (STITCH_PREFIX), so several shops can share an account. */
  readonly prefix: string;
  /** The shop instance this stack is (STITCH_SHOP_ID): the marker on its queues, and what its services expect. */
  readonly shopId: string;
  /** Multi-AZ database with deletion protection, a NAT gateway per zone, data kept on destroy. */
  readonly production?: boolean;
  readonly maxConsumerTasks?: number;
  /** An ACM certificate for the storefront's HTTPS listener; without one it answers on HTTP. */
  readonly certificateArn?: string;
  /** An SNS topic the dead-letter alarms notify. */
  readonly alarmTopicArn?: string;
}

/** The service that holds the operator surface (dead letters) and the live flow view. */
export const OPERATOR_SERVICE = Services.storefront;

/** The whole shop on AWS: network, database, messaging, one Fargate service per app, alarms. */
export class ShopStack extends Stack {
  readonly messaging: MessagingTopology;
  readonly database: ShopDatabase;
  readonly services: ShopServices;
  readonly rights: ReadonlyMap<string, ServiceRights>;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);
    const production = props.production ?? false;
    const logRetention = production ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.ONE_WEEK;
    const network = new ShopNetwork(this, 'Network', { natGateways: production ? 2 : 1, logRetention });
    this.messaging = new MessagingTopology(this, 'Messaging', {
      topology: shopCatalogue.topology(),
      prefix: props.prefix,
      shopId: props.shopId,
    });
    this.database = new ShopDatabase(this, 'Database', {
      vpc: network.vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, production ? ec2.InstanceSize.MEDIUM : ec2.InstanceSize.MICRO),
      production,
      owners: databaseOwners(),
    });
    this.rights = new Map(
      shopServices.map((service) => [
        service.name,
        serviceRights(shopCatalogue, this.messaging.entities, service.name, { operator: OPERATOR_SERVICE }),
      ]),
    );
    this.services = new ShopServices(this, 'Services', {
      vpc: network.vpc,
      services: shopServices,
      rightsOf: (service) => {
        const rights = this.rights.get(service);
        if (!rights) throw new Error(`ShopStack: no rights for ${service}`);
        return rights;
      },
      messaging: this.messaging,
      database: this.database,
      images: new ShopImages(this, 'Images', { services: shopServices.map((service) => service.name) }),
      prefix: props.prefix,
      shopId: props.shopId,
      maxConsumerTasks: props.maxConsumerTasks ?? 4,
      logRetention,
      production,
      ...(props.certificateArn ? { certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) } : {}),
    });
    new DeadLetterAlarms(this, 'DeadLetterAlarms', {
      messaging: this.messaging,
      ...(props.alarmTopicArn ? { topic: sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) } : {}),
    });
    acknowledgeNagFindings(this, { production });
    new CfnOutput(this, 'StorefrontUrl', { value: this.services.storefrontUrl, description: 'npm run smoke -- --url <this>' });
  }

  static propsFromContext(scope: Construct): ShopStackProps {
    const context = (key: string): string | undefined => scope.node.tryGetContext(key);
    const prefix = context('prefix') ?? '';
    const maxConsumerTasks = Number(context('maxConsumerTasks') ?? 4);
    if (!Number.isInteger(maxConsumerTasks) || maxConsumerTasks < 1) throw new Error('context maxConsumerTasks must be an integer >= 1');
    const certificateArn = context('certificateArn');
    const alarmTopicArn = context('alarmTopicArn');
    return {
      prefix,
      shopId: context('shopId') ?? (prefix || 'stitch'),
      production: String(context('production') ?? 'false') === 'true',
      maxConsumerTasks,
      ...(certificateArn ? { certificateArn } : {}),
      ...(alarmTopicArn ? { alarmTopicArn } : {}),
    };
  }
}
