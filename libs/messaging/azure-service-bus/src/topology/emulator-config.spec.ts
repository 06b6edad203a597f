import { shopCatalogue } from '@stitch/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type QueueEntity, type ServiceBusEntities, serviceBusEntities } from '../entities';
import { checkEmulatorConfig, type EmulatorConfig, EmulatorConfigError, emulatorConfig, emulatorConfigJson } from './emulator-config';

const shop = serviceBusEntities(shopCatalogue.topology());
const committed = path.resolve(__dirname, '../../../../../infra/azure/emulator/Config.json');

const queue = (name: string, change: Partial<QueueEntity> = {}): QueueEntity => ({
  name,
  maxDeliveryCount: 6,
  lockDurationSeconds: 60,
  deadLetteringOnMessageExpiration: true,
  defaultMessageTimeToLiveSeconds: 3600,
  ...change,
});
const oneTopic = (subscription: Partial<QueueEntity> = {}): ServiceBusEntities => ({
  queues: [],
  topics: [
    {
      name: 'events',
      defaultMessageTimeToLiveSeconds: 3600,
      subscriptions: [{ ...queue('svc', subscription), topic: 'events', rules: [{ name: 'a.b.v1', subject: 'a.b.v1' }] }],
    },
  ],
});
const violations = (config: EmulatorConfig) => {
  try {
    checkEmulatorConfig(config);
    return 'none';
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return (error as Error).message;
  }
};

describe('the emulator Config.json', () => {
  const config = emulatorConfig(shop);
  const namespace = config.UserConfig.Namespaces[0]!;

  it('is within the emulator limits for the shop', () => {
    expect(violations(config)).toBe('none');
  });

  it('has the catalogue queues; each subscription has a correlation rule on Label per handled type and one on To, its own name', () => {
    expect(namespace.Name).toBe('sbemulatorns');
    expect(namespace.Queues.map((q) => [q.Name, q.Properties.MaxDeliveryCount])).toEqual(
      shop.queues.map((q) => [q.name, q.maxDeliveryCount]),
    );
    const events = namespace.Topics.find((topic) => topic.Name === 'events')!;
    for (const subscription of shopCatalogue.topology().topic.subscriptions) {
      const generated = events.Subscriptions.find((candidate) => candidate.Name === subscription.name)!;
      expect(generated.Properties.MaxDeliveryCount).toBe(subscription.maxDeliveryCount);
      expect(generated.Rules).toEqual([
        ...subscription.types.map((type) => ({
          Name: type,
          Properties: { FilterType: 'Correlation', CorrelationFilter: { Label: type } },
        })),
        { Name: 'direct', Properties: { FilterType: 'Correlation', CorrelationFilter: { To: subscription.name } } },
      ]);
    }
  });

  it('leaves the flow subscription without rules (the emulator gives it $Default) and raises its TTL to the emulator minimum', () => {
    const flow = namespace.Topics.find((topic) => topic.Name === 'flow')!;
    expect(flow.Properties.DefaultMessageTimeToLive).toBe('PT5M');
    expect(flow.Subscriptions).toEqual([
      {
        Name: 'storefront',
        Properties: {
          DeadLetteringOnMessageExpiration: false,
          DefaultMessageTimeToLive: 'PT5M',
          LockDuration: 'PT1M',
          MaxDeliveryCount: 1,
          RequiresSession: false,
        },
      },
    ]);
  });

  it('is committed as generated (regenerate: npm run topology:azure -- --emulator-config infra/azure/emulator/Config.json)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(emulatorConfigJson(config));
  });
});

describe('checkEmulatorConfig', () => {
  it('catches a MaxDeliveryCount above 10, naming the entity', () => {
    expect(violations(emulatorConfig({ queues: [queue('order-service', { maxDeliveryCount: 11 })], topics: [] }))).toBe(
      'Service Bus emulator Config.json: queue order-service: MaxDeliveryCount 11 is outside 1..10',
    );
  });

  it('catches more than 50 queues and topics', () => {
    const queues = Array.from({ length: 50 }, (_, index) => queue(`q${index}`));
    expect(violations(emulatorConfig({ ...oneTopic(), queues }))).toContain('51 queues and topics: the emulator allows 50');
  });

  it('catches lock durations outside the limits: a queue over 5 minutes, a subscription under 1 minute', () => {
    expect(violations(emulatorConfig({ queues: [queue('q', { lockDurationSeconds: 600 })], topics: [] }))).toContain(
      'queue q: LockDuration PT10M is outside PT5S..PT5M',
    );
    expect(violations(emulatorConfig(oneTopic({ lockDurationSeconds: 30 })))).toContain(
      'subscription events/svc: LockDuration PT30S is outside PT1M..PT5M',
    );
  });

  it('catches a time-to-live over 1 hour', () => {
    expect(violations(emulatorConfig({ queues: [queue('q', { defaultMessageTimeToLiveSeconds: 86_400 })], topics: [] }))).toContain(
      'queue q: DefaultMessageTimeToLive P1D is outside PT5M..PT1H',
    );
  });

  it('catches a renamed namespace, a name the emulator refuses, a topic without subscriptions, and lists every problem', () => {
    const bad = emulatorConfig({
      queues: [queue('-orders')],
      topics: [{ name: 'events', defaultMessageTimeToLiveSeconds: 3600, subscriptions: [] }],
    });
    const message = violations({ UserConfig: { ...bad.UserConfig, Namespaces: [{ ...bad.UserConfig.Namespaces[0]!, Name: 'stitch' }] } });
    expect(message).toContain('namespace "stitch": the emulator\'s namespace is "sbemulatorns"');
    expect(message).toContain('queue -orders: the name "-orders" has characters the emulator refuses');
    expect(message).toContain('topic events: 0 subscriptions, the emulator needs 1 to 50');
  });

  it("catches more than 1000 correlation filters on one topic, counting each subscription's direct rule", () => {
    const subscription = (name: string, types: number) => ({
      ...queue(name),
      topic: 'events',
      rules: [...Array.from({ length: types }, (_, index) => ({ name: `t${index}`, subject: `t${index}` })), { name: 'direct', to: name }],
    });
    const topic = (subscriptions: ServiceBusEntities['topics'][number]['subscriptions']): ServiceBusEntities => ({
      queues: [],
      topics: [{ name: 'events', defaultMessageTimeToLiveSeconds: 3600, subscriptions }],
    });
    expect(violations(emulatorConfig(topic([subscription('a', 499), subscription('b', 499)])))).toBe('none');
    expect(violations(emulatorConfig(topic([subscription('a', 500), subscription('b', 499)])))).toContain(
      'topic events: 1001 correlation filters, the emulator allows 1000',
    );
  });
});
