import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The local ports of a process's TCP connections, from Linux's /proc: its file descriptors name socket inodes,
 * and /proc/net/tcp{,6} give each inode's local address. Undefined where /proc cannot tell (another OS, or the
 * process is gone).
 */
export function socketPortsOf(pid: number): Set<number> | undefined {
  let inodes: Set<string>;
  try {
    inodes = new Set(
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
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      const inode = columns[9];
      if (local && inode && inodes.has(inode)) ports.add(parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
