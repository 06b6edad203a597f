import * as iam from 'aws-cdk-lib/aws-iam';
import type { MessagingTopology } from './messaging-topology';
import type { ServiceRights } from './service-rights';

/** Turns a service's rights into its task role's policy, each through the resource's own `grant*` method. */
export function grantServiceRights(role: iam.IRole, rights: ServiceRights, messaging: MessagingTopology): void {
  for (const { queue, actions } of rights.queues) messaging.queue(queue).grant(role, ...actions);
  if (rights.putEvents) messaging.bus.grantPutEventsTo(role);
  // The start-up check: the bus exists, and so does the service's rule with its queue as target.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:DescribeEventBus'], resources: [messaging.bus.eventBusArn] }));
  if (rights.rules.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:DescribeRule', 'events:ListTargetsByRule'],
        resources: rights.rules.map((rule) => messaging.ruleOf(rule).ruleArn),
      }),
    );
  }
}
