import pino from 'pino';
import { FlowRecorder, type FlowRecord } from './flow';
import type { FlowChannel } from './transport';

const record = (messageId: string): FlowRecord => ({
  messageId,
  type: 'order.order-placed.v1',
  kind: 'event',
  from: 'order-service',
  to: 'notification-service',
  instance: 'notification-service-1',
  at: new Date(0).toISOString(),
  outcome: 'handled',
});

describe('FlowRecorder', () => {
  it('batches the records of one turn into one publish', async () => {
    const published: string[][] = [];
    const channel: FlowChannel = { publish: async (records) => void published.push([...records]), subscribe: jest.fn() };
    const recorder = new FlowRecorder(channel, pino({ level: 'silent' }));
    recorder.record(record('a'));
    recorder.record(record('b'));
    await recorder.drain();
    expect(published).toHaveLength(1);
    expect(published[0]?.map((r) => JSON.parse(r).messageId)).toEqual(['a', 'b']);
  });

  it('drops records it cannot publish, warning once, and never throws into message handling', async () => {
    const warn = jest.fn();
    const logger = { ...pino({ level: 'silent' }), warn } as unknown as pino.Logger;
    const channel: FlowChannel = { publish: async () => Promise.reject(new Error('flow channel down')), subscribe: jest.fn() };
    const recorder = new FlowRecorder(channel, logger);
    recorder.record(record('a'));
    await recorder.drain();
    recorder.record(record('b'));
    await recorder.drain();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ dropped: 1 });
  });
});
