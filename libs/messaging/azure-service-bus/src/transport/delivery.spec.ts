import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import type { ReceiverLike, SenderLike } from './client';
import { ServiceBusDelivery } from './delivery';
import { LockRenewer } from './lock-renewal';
import { Props, toIncomingMessage, toServiceBusMessage, type RetryTarget } from './mapping';

function setup(target: RetryTarget = { kind: 'queue' }, deliveryCount = 0) {
  const calls: string[] = [];
  const scheduled: { message: ServiceBusMessage; at: Date }[] = [];
  const deadLettered: unknown[] = [];
  const receiver = {
    completeMessage: jest.fn(async () => void calls.push('complete')),
    abandonMessage: jest.fn(async () => void calls.push('abandon')),
    deadLetterMessage: jest.fn(async (_m: ServiceBusReceivedMessage, options?: unknown) => {
      calls.push('deadLetter');
      deadLettered.push(options);
    }),
  } as unknown as ReceiverLike;
  const sender = {
    scheduleMessages: jest.fn(async (message: ServiceBusMessage, at: Date) => {
      calls.push('schedule');
      scheduled.push({ message, at });
      return [];
    }),
  } as unknown as SenderLike;
  const raw = {
    ...toServiceBusMessage({ messageId: 'm-1', type: 't.v1', correlationId: 'c', body: '{}' }),
    deliveryCount,
    state: 'active',
    _rawAmqpMessage: { body: '' },
  } as ServiceBusReceivedMessage;
  const renewer = new LockRenewer(
    async () => new Date(),
    () => undefined,
  );
  const stop = jest.spyOn(renewer, 'stop');
  const delivery = new ServiceBusDelivery(toIncomingMessage(raw), deliveryCount + 1, raw, {
    receiver,
    retrySender: () => sender,
    target,
    renewer,
  });
  return { delivery, calls, scheduled, deadLettered, stop };
}

describe('settling a Service Bus delivery', () => {
  it('complete: completes the message and stops renewing its lock first', async () => {
    const { delivery, calls, stop } = setup();
    await delivery.complete();
    expect(calls).toEqual(['complete']);
    expect(stop).toHaveBeenCalled();
  });

  it('retry: schedules a copy carrying the attempt at the delay, then completes the original (never the other way round)', async () => {
    const { delivery, calls, scheduled } = setup({ kind: 'queue' }, 1);
    const before = Date.now();
    await delivery.retryLater(5_000);
    expect(calls).toEqual(['schedule', 'complete']);
    expect(scheduled[0]?.message.applicationProperties?.[Props.priorAttempts]).toBe(2);
    expect(scheduled[0]?.at.getTime()).toBeGreaterThanOrEqual(before + 5_000);
  });

  it('retry on a subscription: the copy goes to the topic addressed to that subscription', async () => {
    const { delivery, scheduled } = setup({ kind: 'subscription', subscription: 'beta' });
    await delivery.retryLater(0);
    expect(scheduled[0]?.message.to).toBe('beta');
    expect(scheduled[0]?.message).not.toHaveProperty('subject');
  });

  it('dead-letter: with reason, description and the attempt it gave up on, cut to what the broker keeps', async () => {
    const { delivery, deadLettered } = setup({ kind: 'queue' }, 2);
    await delivery.deadLetter('Error: boom', 'failed on attempt 3 of 3 in alpha-1');
    expect(deadLettered[0]).toMatchObject({
      deadLetterReason: 'Error: boom',
      deadLetterErrorDescription: 'failed on attempt 3 of 3 in alpha-1',
      [Props.attempts]: 3,
    });
    const long = setup();
    await long.delivery.deadLetter('r'.repeat(5_000), 'd'.repeat(10_000));
    expect(long.deadLettered[0]).toMatchObject({ deadLetterReason: 'r'.repeat(1_024), deadLetterErrorDescription: 'd'.repeat(4_096) });
  });

  it('settles once: a second settle is refused and reaches no broker', async () => {
    const { delivery, calls } = setup();
    await delivery.complete();
    await expect(delivery.deadLetter('x', 'y')).rejects.toThrow(/already settled/);
    expect(calls).toEqual(['complete']);
  });
});
