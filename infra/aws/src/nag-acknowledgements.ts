import { Annotations, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ShopStack } from './shop-stack';

/**
 * Every cdk-nag AwsSolutions finding the shop accepts, each with its reason, in one place. A finding not listed
 * here fails `cdk synth` and the nag test.
 */
export function acknowledgeNagFindings(stack: ShopStack, options: { readonly production: boolean }): void {
  const acknowledge = (scope: IConstruct, rule: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });

  for (const { entity, queue } of stack.messaging.allQueues) {
    if (entity.role === 'target-dead-letter')
      acknowledge(
        queue,
        'SQS3',
        'EventBridge dead-letters here what its rule could not deliver; an alarm watches it and an operator replays it.',
      );
    if (entity.role === 'flow')
      acknowledge(queue, 'SQS3', 'Flow records are best effort for the live view and expire in a minute; they are never redriven.');
  }

  acknowledge(
    stack,
    'SMG4',
    'Tasks read their secrets when they start; rotate by writing a new value and forcing a new deployment (docs/deploy-aws.md), so no running task keeps a password that no longer works.',
  );
  acknowledge(
    stack,
    'ECS2',
    'Only non-secret settings (transport, region, names, URLs) are plain environment variables; every secret is an ECS secret from Secrets Manager, which a template test asserts.',
  );
  acknowledge(
    stack,
    'IAM5[Resource::*]',
    'Two actions with no resource-level permissions, so only "*" can name them: ecr:GetAuthorizationToken, which every task execution role needs to pull its image (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html), and the X-Ray writes the trace collector makes, xray:PutTraceSegments and xray:PutTelemetryRecords (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).',
  );
  acknowledge(
    stack.database.instance,
    'RDS11',
    'A non-default port is no control here: the instance has no route from outside the VPC and admits only the shop services.',
  );
  acknowledge(
    stack.services.loadBalancer,
    'EC23',
    "The storefront load balancer is the shop's one public entry, for customers on the internet.",
  );
  acknowledge(
    stack.services.accessLogBucket,
    'S1',
    "This bucket holds the load balancer's access logs; logging access to the log bucket itself would log into itself.",
  );
  Annotations.of(stack).acknowledgeWarning(
    '@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
    'Tasks reach SQS, EventBridge, ECR and Secrets Manager through NAT, so their outbound traffic stays open; inbound is what each rule narrows.',
  );
  if (!options.production) {
    acknowledge(stack.database.instance, 'RDS3', 'A trial deployment runs one zone; -c production=true makes the instance Multi-AZ.');
    acknowledge(
      stack.database.instance,
      'RDS10',
      'A trial deployment is torn down by npm run destroy:aws; -c production=true turns deletion protection on.',
    );
  }
}
