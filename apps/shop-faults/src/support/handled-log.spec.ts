import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HandledLog, parseHandling } from './handled-log';

const line = (instance: string, messageId: string, time: number, msg = 'handled ReserveStock') =>
  JSON.stringify({
    level: 30,
    time,
    service: instance.replace(/-\d+$/, ''),
    instance,
    messageId,
    type: 'inventory.reserve-stock.v1',
    attempt: 1,
    ms: 3,
    msg,
  });

describe('HandledLog', () => {
  let logsDir: string;

  beforeEach(async () => {
    logsDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-handled-'));
  });

  afterEach(() => rm(logsDir, { recursive: true, force: true }));

  it('counts deliveries per service and message, and the repeats among them', async () => {
    await writeFile(
      path.join(logsDir, 'inventory-service-1.log'),
      [line('inventory-service-1', 'a', 10), line('inventory-service-1', 'b', 11), 'not json', ''].join('\n'),
    );
    await writeFile(
      path.join(logsDir, 'inventory-service-2.log'),
      [line('inventory-service-2', 'a', 12), line('inventory-service-2', 'c', 5)].join('\n'),
    );
    await writeFile(path.join(logsDir, 'postgres.log'), line('inventory-service-9', 'a', 12));

    const log = await HandledLog.read(logsDir, 10);
    expect(log.handlings).toHaveLength(3);
    expect(log.distinct).toBe(2);
    expect(log.repeats).toBe(1);
    expect(log.deliveredMoreThanOnce).toBe(1);
    expect(log.ofType('other').handlings).toEqual([]);
  });

  it('reads only the core’s handled lines', () => {
    expect(parseHandling(line('email-service-1', 'x', 1, 'handled SendEmail'))).toMatchObject({ service: 'email-service', messageId: 'x' });
    expect(parseHandling(line('email-service-1', 'x', 1, 'SendEmail failed; retrying'))).toBeUndefined();
    expect(parseHandling('{"msg":"handled X"}')).toBeUndefined();
  });
});
