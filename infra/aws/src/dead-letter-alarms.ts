import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { MessagingTopology } from './messaging-topology';

/**
 * An alarm on every dead-letter queue: one message there is a message the shop gave up on, waiting for a person
 * (the storefront's Dead letters panel, or `npm run dlq`). With a topic, each alarm notifies it.
 */
export class DeadLetterAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: { readonly messaging: MessagingTopology; readonly topic?: sns.ITopic }) {
    super(scope, id);
    for (const { entity, queue } of props.messaging.allQueues) {
      if (entity.role !== 'dead-letter' && entity.role !== 'target-dead-letter') continue;
      const alarm = queue
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, entity.name, {
          alarmName: `${entity.name}-not-empty`,
          alarmDescription: `${entity.purpose}: a message is waiting for an operator`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      if (props.topic) alarm.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(alarm);
    }
  }
}
