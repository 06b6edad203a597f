import { until } from '@stitch/waiting-testing';
import { Database } from './sqlite';
import { sleep, startedTransport, transportPerTest } from '../test/helpers';

describe('the flow channel', () => {
  const bus = transportPerTest();

  it('gives every subscriber, in this process or another, each record written after it subscribed, in order', async () => {
    const other = await startedTransport(bus.file);
    try {
      await bus.transport.flow.publish(['before']);
      const here: string[] = [];
      const there: string[] = [];
      await bus.transport.flow.subscribe((record) => here.push(record));
      await other.flow.subscribe((record) => there.push(record));

      await bus.transport.flow.publish(['r1', 'r2']);
      await other.flow.publish(['r3']);

      await until('both subscribers to receive r1, r2 and r3', () => here.length === 3 && there.length === 3, {
        timeoutMs: 2_000,
        state: () => `here ${JSON.stringify(here)}, there ${JSON.stringify(there)}`,
      });
      expect(here).toEqual(['r1', 'r2', 'r3']);
      expect(there).toEqual(['r1', 'r2', 'r3']);
    } finally {
      await other.close();
    }
  });

  it('stops after close, and a throwing subscriber does not stop the tail', async () => {
    const seen: string[] = [];
    const subscription = await bus.transport.flow.subscribe((record) => {
      seen.push(record);
      throw new Error('ignored');
    });
    await bus.transport.flow.publish(['a', 'b']);
    await until('the throwing subscriber to receive a and b', () => seen.length === 2, { timeoutMs: 2_000 });

    await subscription.close();
    // A subscriber still listening is woken by the same write: once it has c, a closed one would have had it too.
    const stillListening: string[] = [];
    await bus.transport.flow.subscribe((record) => stillListening.push(record));
    await bus.transport.flow.publish(['c']);
    await until('a subscriber still listening to receive c', () => stillListening.includes('c'), { timeoutMs: 2_000 });

    expect(seen).toEqual(['a', 'b']);
  });

  it('prunes records older than flowTtlMs', async () => {
    const shortLived = await startedTransport(bus.file, { flowTtlMs: 50 });
    try {
      await shortLived.flow.publish(['old']);
      await sleep(100);
      await shortLived.flow.publish(['new']);

      const db = Database.open(bus.file);
      const rows = db.prepare('SELECT record FROM flow').all();
      await db.close();
      expect(rows.map((row) => row['record'])).toEqual(['new']);
    } finally {
      await shortLived.close();
    }
  });
});
