import { StartupError } from '@stitch/messaging-core';
import { createLocalTransport } from './index';
import { shopMarker } from './schema';
import { Database } from './sqlite';
import { startedTransport, tempBus } from '../test/helpers';
import { topology } from '../test/topology';

describe('the bus file belongs to one shop', () => {
  let bus: ReturnType<typeof tempBus>;
  beforeEach(() => {
    bus = tempBus();
  });
  afterEach(() => bus.remove());

  const markerOf = async (file: string) => {
    const db = Database.open(file);
    try {
      return shopMarker(db);
    } finally {
      await db.close();
    }
  };

  it('is marked by the first process that opens it, and opened again by the same shop', async () => {
    const first = await startedTransport(bus.file, { shopId: 'shop-a' });
    const again = await startedTransport(bus.file, { shopId: 'shop-a' });
    await Promise.all([first.close(), again.close()]);
    expect(await markerOf(bus.file)).toBe('shop-a');
  });

  it("refuses another shop's process at start with one line, and leaves the marker alone", async () => {
    const owner = await startedTransport(bus.file, { shopId: 'shop-a' });
    const intruder = startedTransport(bus.file, { shopId: 'shop-b' });
    const error = await intruder.catch((e: unknown) => e);
    await owner.close();
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe(
      `the bus file ${bus.file} belongs to shop shop-a, not to this shop shop-b: two shops on one topology take each other's messages; ` +
        "give this shop its own data folder (STITCH_DATA_DIR), or start it with that shop's id (STITCH_SHOP_ID)",
    );
    expect((error as Error).message).not.toContain('\n');
    expect(await markerOf(bus.file)).toBe('shop-a');
  });

  it('is neither written nor checked without a shop id (tools, tests)', async () => {
    const tool = createLocalTransport({ topology, file: bus.file });
    await tool.start();
    await tool.close();
    expect(await markerOf(bus.file)).toBeUndefined();
    const owner = await startedTransport(bus.file, { shopId: 'shop-a' });
    const other = await startedTransport(bus.file);
    await Promise.all([owner.close(), other.close()]);
    expect(await markerOf(bus.file)).toBe('shop-a');
  });
});
