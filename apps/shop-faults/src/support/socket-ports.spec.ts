import net from 'node:net';
import { socketPortsOf } from './socket-ports';

describe('socketPortsOf', () => {
  it('finds the local port of a connection this process holds', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    try {
      const ports = socketPortsOf(process.pid);
      if (process.platform === 'linux') expect(ports?.has(client.localPort as number)).toBe(true);
      else expect(ports).toBeUndefined();
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says nothing for a process that does not exist', () => {
    expect(socketPortsOf(2 ** 22 + 17)).toBeUndefined();
  });
});
