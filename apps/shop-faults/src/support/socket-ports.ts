import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One row of Linux's /proc/net/tcp{,6}: a TCP socket of any process on this machine. */
interface TcpSocket {
  readonly localPort: number;
  readonly remotePort: number;
  /** Bytes sent and not yet acknowledged by the peer. */
  readonly unacknowledged: number;
  /** Bytes received and not yet read by the process. */
  readonly unread: number;
  readonly inode: string;
}

/**
 * The local ports of a process's TCP connections (only those to `remotePort`, when given), from Linux's /proc: its
 * file descriptors name socket inodes, and /proc/net/tcp{,6} give each inode's addresses. Undefined where /proc
 * cannot tell (another OS, or the process is gone).
 */
export function socketPortsOf(pid: number, remotePort?: number): Set<number> | undefined {
  const inodes = socketInodesOf(pid);
  if (!inodes) return undefined;
  const ports = new Set<number>();
  for (const socket of tcpSockets()) {
    if (inodes.has(socket.inode) && (remotePort === undefined || socket.remotePort === remotePort)) ports.add(socket.localPort);
  }
  return ports;
}

/**
 * Bytes the kernel still holds on the connections between these client ports and a server's port on this machine:
 * sent by a client and not yet acknowledged, or received by the server's socket and not yet read by the server. Once
 * a client has stopped and this is 0, the server has read everything the client sent.
 */
export function bytesInTransit(clientPorts: ReadonlySet<number>, serverPort: number): number {
  let bytes = 0;
  for (const socket of tcpSockets()) {
    if (clientPorts.has(socket.localPort) && socket.remotePort === serverPort) bytes += socket.unacknowledged;
    if (socket.localPort === serverPort && clientPorts.has(socket.remotePort)) bytes += socket.unread;
  }
  return bytes;
}

function socketInodesOf(pid: number): Set<string> | undefined {
  try {
    return new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          } catch {
            return undefined;
          }
        })
        .filter((inode): inode is string => inode !== undefined),
    );
  } catch {
    return undefined;
  }
}

/** `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`, addresses as `HEX:PORT`. */
function tcpSockets(): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [local, remote, queues, inode] = [columns[1], columns[2], columns[4], columns[9]];
      if (!local || !remote || !queues || !inode) continue;
      const [unacknowledged, unread] = queues.split(':').map((hex) => parseInt(hex, 16));
      sockets.push({
        localPort: portOf(local),
        remotePort: portOf(remote),
        unacknowledged: unacknowledged || 0,
        unread: unread || 0,
        inode,
      });
    }
  }
  return sockets;
}

function portOf(address: string): number {
  return parseInt(address.split(':')[1] ?? '', 16);
}
