import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { busArn, queueArn } from './permissions/iam-actions';
import { isAllowed, statementsOf, type CfnTemplate } from './permissions/template-policies';
import { synthShop, TEST_ENV } from './synth';

// The workshop lab states what the template holds; each claim it makes offline is read from its text and checked
// against a fresh synth, so a stack that changes without the lab fails here.
const LAB = path.resolve(__dirname, '../../../docs/workshop/08-deploy-to-aws/README.md');
const scope = { partition: 'aws', ...TEST_ENV };

type Intrinsic = { 'Fn::GetAtt'?: [string, string]; Ref?: string };
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface StepAdjustment {
  MetricIntervalLowerBound?: number;
  MetricIntervalUpperBound?: number;
  ScalingAdjustment: number;
}

const lab = readFileSync(LAB, 'utf8');
const checkpoint = section('## Checkpoint');

/** The lab's text from `heading` to the next heading of that level, on one line. */
function section(heading: string): string {
  const start = lab.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${LAB} has no "${heading}" section`);
  const next = lab.indexOf('\n## ', start + heading.length + 2);
  return lab.slice(start, next < 0 ? undefined : next).replace(/\s+/g, ' ');
}

/** The captures of `pattern` in the checkpoint, by the names given in order; a claim reworded past recognition fails naming it. */
function claim<Name extends string>(pattern: RegExp, ...names: Name[]): Record<Name, string> {
  const match = pattern.exec(checkpoint);
  if (!match) throw new Error(`the lab's checkpoint no longer states ${pattern}: update this test with the lab`);
  const captures = match.slice(1);
  if (captures.length !== names.length) throw new Error(`${pattern} captures ${captures.length} values, ${names.length} names given`);
  return Object.fromEntries(names.map((name, index) => [name, captures[index]])) as Record<Name, string>;
}

/** The lines of the fenced block that follows `<!-- checked: name -->` in the lab. */
function checkedBlock(name: string): string[] {
  const marker = lab.indexOf(`<!-- checked: ${name} -->`);
  if (marker < 0) throw new Error(`${LAB} has no "<!-- checked: ${name} -->" block`);
  const body = lab.indexOf('\n', lab.indexOf('```', marker)) + 1;
  return lab
    .slice(body, lab.indexOf('```', body))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

describe('the workshop lab "Deploy to AWS" agrees with the template', () => {
  const { template } = synthShop();
  const json = template.toJSON() as CfnTemplate & { Resources: Record<string, Resource> };
  const ofType = (type: string) => Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
  const nameOf = (intrinsic: Intrinsic): string => {
    const id = intrinsic['Fn::GetAtt']?.[0] ?? intrinsic.Ref;
    const properties = id === undefined ? undefined : json.Resources[id]?.Properties;
    const name = properties?.QueueName ?? properties?.Name;
    if (typeof name !== 'string') throw new Error(`no named resource behind ${JSON.stringify(intrinsic)}`);
    return name;
  };
  const queueNames = ofType('AWS::SQS::Queue').map(([, queue]) => String(queue.Properties.QueueName));
  /** The queues on which the service's task role is allowed `action`, by IAM's matching of its generated policy. */
  const queuesAllowed = (service: string, action: string): string[] => {
    const statements = statementsOf(json, service, scope);
    return queueNames.filter((queue) => isAllowed(statements, action, queueArn(queue, scope))).sort();
  };

  it('counts the queues, the bus and the rules as the checkpoint does', () => {
    const { queues, buses, rules } = claim(
      /\*\*(\d+)\*\* SQS queues, \*\*(\d+)\*\* event bus and \*\*(\d+)\*\* EventBridge rules/,
      'queues',
      'buses',
      'rules',
    );
    expect(ofType('AWS::SQS::Queue')).toHaveLength(Number(queues));
    expect(ofType('AWS::Events::EventBus')).toHaveLength(Number(buses));
    expect(ofType('AWS::Events::Rule')).toHaveLength(Number(rules));
  });

  it('lists the queues and the rules the steps show', () => {
    expect(checkedBlock('queues').sort()).toEqual([...queueNames].sort());
    const rules = ofType('AWS::Events::Rule').map(([, rule]) => {
      const [target] = rule.Properties.Targets as { Arn: Intrinsic; DeadLetterConfig: { Arn: Intrinsic } }[];
      if (!target) throw new Error(`rule ${String(rule.Properties.Name)} has no target`);
      const types = (rule.Properties.EventPattern as { 'detail-type': string[] })['detail-type'];
      return `${String(rule.Properties.Name)} -> ${nameOf(target.Arn)} (undeliverable: ${nameOf(target.DeadLetterConfig.Arn)}): ${types.join(', ')}`;
    });
    expect(checkedBlock('rules').sort()).toEqual(rules.sort());
  });

  it('scales as many consumers, between as many tasks, as the checkpoint says', () => {
    const { consumers, targets, min, max, policies } = claim(
      /\*\*(\d+)\*\* consumers scale on their backlog: \*\*(\d+)\*\* scalable targets of \*\*(\d+)\*\* to \*\*(\d+)\*\* tasks, \*\*(\d+)\*\* step scaling policies/,
      'consumers',
      'targets',
      'min',
      'max',
      'policies',
    );
    const scalableTargets = ofType('AWS::ApplicationAutoScaling::ScalableTarget');
    expect(scalableTargets).toHaveLength(Number(targets));
    expect(scalableTargets).toHaveLength(Number(consumers));
    for (const [, target] of scalableTargets)
      expect(target.Properties).toMatchObject({ MinCapacity: Number(min), MaxCapacity: Number(max) });
    expect(ofType('AWS::ApplicationAutoScaling::ScalingPolicy')).toHaveLength(Number(policies));
  });

  it('steps out and in at the backlogs the checkpoint names', () => {
    const claimed = claim(
      /A backlog of \*\*(\d+)\*\* messages adds \*\*(\d+)\*\* task, of \*\*(\d+)\*\* adds \*\*(\d+)\*\*; an empty backlog \(\*\*(\d+)\*\*\) removes \*\*(\d+)\*\*/,
      'outFrom',
      'outBy',
      'outMoreFrom',
      'outMoreBy',
      'inAt',
      'inBy',
    );
    const [outFrom, outBy, outMoreFrom, outMoreBy, inAt, inBy] = [
      claimed.outFrom,
      claimed.outBy,
      claimed.outMoreFrom,
      claimed.outMoreBy,
      claimed.inAt,
      claimed.inBy,
    ].map(Number) as [number, number, number, number, number, number];
    const backlogAlarms = ofType('AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties.Metrics !== undefined);
    expect(backlogAlarms).toHaveLength(2 * ofType('AWS::ApplicationAutoScaling::ScalableTarget').length);
    for (const [id, alarm] of backlogAlarms) {
      const threshold = alarm.Properties.Threshold as number;
      const [action] = alarm.Properties.AlarmActions as Intrinsic[];
      const policy = action?.Ref === undefined ? undefined : json.Resources[action.Ref];
      if (!policy) throw new Error(`alarm ${id} acts on no scaling policy`);
      // A step's bounds are relative to its alarm's threshold; the lab gives them as backlogs.
      const { StepAdjustments } = policy.Properties.StepScalingPolicyConfiguration as { StepAdjustments: StepAdjustment[] };
      const steps = StepAdjustments.map((step) => ({
        from: step.MetricIntervalLowerBound === undefined ? undefined : threshold + step.MetricIntervalLowerBound,
        to: step.MetricIntervalUpperBound === undefined ? undefined : threshold + step.MetricIntervalUpperBound,
        change: step.ScalingAdjustment,
      }));
      if (alarm.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold') {
        expect(threshold).toBe(outFrom);
        expect(steps).toEqual([
          { from: outFrom, to: outMoreFrom, change: outBy },
          { from: outMoreFrom, to: undefined, change: outMoreBy },
        ]);
      } else {
        expect(alarm.Properties.ComparisonOperator).toBe('LessThanOrEqualToThreshold');
        expect(threshold).toBe(inAt);
        expect(steps).toEqual([{ from: undefined, to: inAt, change: -inBy }]);
      }
    }
  });

  it("lets the named role receive from its own queue only, and not from another service's", () => {
    const { service, own, other } = claim(
      /The role of `([\w-]+)` may receive from `([\w-]+)` and from no other queue; it may not receive from `([\w-]+)`/,
      'service',
      'own',
      'other',
    );
    expect(queuesAllowed(service, 'sqs:ReceiveMessage')).toEqual([own]);
    expect(queuesAllowed(service, 'sqs:DeleteMessage')).toEqual([own]);
    expect(queuesAllowed(service, 'sqs:ReceiveMessage')).not.toContain(other);
  });

  it('lets the named role send where the checkpoint says, and put events on the bus', () => {
    const { service, first, second, bus } = claim(
      /The role of `([\w-]+)` may send to `([\w-]+)` and `([\w-]+)` only, and put events on the bus `([\w-]+)`/,
      'service',
      'first',
      'second',
      'bus',
    );
    expect(queuesAllowed(service, 'sqs:SendMessage')).toEqual([first, second].sort());
    expect(isAllowed(statementsOf(json, service, scope), 'events:PutEvents', busArn(bus, scope))).toBe(true);
  });
});
