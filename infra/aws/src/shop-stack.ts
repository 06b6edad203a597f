import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { shopCatalogue } from '@stitch/contracts';
import { MessagingTopology } from './messaging-topology';

export interface ShopStackProps extends StackProps {
  /** Put in front of every queue and the bus (STITCH_PREFIX), so several shops can share an account. */
  readonly prefix: string;
  /** The shop instance this stack is (STITCH_SHOP_ID): the marker on its queues, and what its services expect. */
  readonly shopId: string;
}

/** The whole shop on AWS: network, database, messaging, one Fargate service per app. */
export class ShopStack extends Stack {
  readonly messaging: MessagingTopology;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);
    this.messaging = new MessagingTopology(this, 'Messaging', {
      topology: shopCatalogue.topology(),
      prefix: props.prefix,
      shopId: props.shopId,
    });
  }

  static propsFromContext(scope: Construct): ShopStackProps {
    const prefix: string = scope.node.tryGetContext('prefix') ?? '';
    const shopId: string = scope.node.tryGetContext('shopId') ?? (prefix || 'stitch');
    return { prefix, shopId };
  }
}
