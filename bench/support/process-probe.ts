/**
 * What a process holds, read from /proc (Linux): its RSS, and its established TCP connections to Redis and Postgres
 * (its socket fds matched against /proc/<pid>/net/tcp{,6} by inode, by remote port).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Established connections of `pid` per remote port, e.g. `{ 6379: 12, 5432: 10 }`. */
export function connectionsByRemotePort(pid: number, ports: number[]): Record<number, number> {
  const inodes = socketInodes(pid);
  const counts: Record<number, number> = Object.fromEntries(ports.map((p) => [p, 0]));
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '01') continue; // 01 = ESTABLISHED
      const port = parseInt(cols[2]!.split(':')[1]!, 16);
      if (port in counts && inodes.has(cols[9]!)) counts[port]! += 1;
    }
  }
  return counts;
}
