import { conformanceCatalogue } from './conformance-catalogue';

describe('conformance catalogue', () => {
  it('gives the suite one command queue and two overlapping subscriptions', () => {
    const topology = conformanceCatalogue.topology();
    expect(topology.queues.map((q) => [q.name, q.types, q.maxAttempts, q.maxDeliveryCount])).toEqual([
      ['alpha', ['alpha.do-work.v1'], 3, 4],
    ]);
    expect(topology.topic.subscriptions.map((s) => [s.name, s.types])).toEqual([
      ['beta', ['alpha.thing-happened.v1', 'alpha.other-happened.v1']],
      ['gamma', ['alpha.thing-happened.v1']],
    ]);
  });
});
