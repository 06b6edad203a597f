import net from 'node:net';
import { eventually } from '@stitch/shop-testing';
import { bytesInTransit, socketPortsOf } from './socket-ports';

const linux = process.platform === 'linux';

describe('socketPortsOf', () => {
  it('finds the local port of a connection this process holds, to any server or to the one named', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const serverPort = (server.address() as net.AddressInfo).port;
    const client = net.connect(serverPort, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    try {
      const ports = socketPortsOf(process.pid);
      if (linux) {
        expect(ports?.has(client.localPort as number)).toBe(true);
        expect(socketPortsOf(process.pid, serverPort)).toEqual(new Set([client.localPort]));
        expect(socketPortsOf(process.pid, serverPort === 1 ? 2 : 1)?.has(client.localPort as number)).toBe(false);
      } else {
        expect(ports).toBeUndefined();
      }
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says nothing for a process that does not exist', () => {
    expect(socketPortsOf(2 ** 22 + 17)).toBeUndefined();
  });
});

describe('bytesInTransit', () => {
  it('counts what a client sent that the server has not read yet', async () => {
    const accepted: net.Socket[] = [];
    // Paused: the server reads nothing until resumed.
    const server = net.createServer({ pauseOnConnect: true }, (socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const serverPort = (server.address() as net.AddressInfo).port;
    const client = net.connect(serverPort, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const ports = new Set([client.localPort as number]);
    try {
      client.write(Buffer.alloc(1_000));
      if (!linux) return expect(bytesInTransit(ports, serverPort)).toBe(0);
      await eventually(
        '1,000 bytes unread at the server',
        () => bytesInTransit(ports, serverPort),
        (bytes) => bytes === 1_000,
        5_000,
      );
      expect(bytesInTransit(ports, serverPort === 1 ? 2 : 1)).toBe(0);
      const [socket] = await eventually(
        'the connection accepted',
        () => accepted,
        (sockets) => sockets.length === 1,
        5_000,
      );
      let read = 0;
      socket?.on('data', (chunk: Buffer) => (read += chunk.length));
      socket?.resume();
      await eventually(
        'the server to read them',
        () => read,
        (bytes) => bytes === 1_000,
        5_000,
      );
      expect(bytesInTransit(ports, serverPort)).toBe(0);
    } finally {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
