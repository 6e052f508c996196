import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Where a process runs, precisely enough for another process on the same machine to prove it dead: the host name,
 * the kernel's boot id (`/proc/sys/kernel/random/boot_id`, new at every reboot, shared by the containers of a host),
 * the pid namespace (`readlink /proc/self/ns/pid`) and, in it, the pid and the process's start time (field 22 of
 * `/proc/<pid>/stat`, clock ticks since boot), which tells a reused pid from the process that had it.
 */
export interface ProcessFingerprint {
  hostname: string;
  kernelBootId: string;
  pidNamespace: string;
  pid: number;
  startTime: string;
}

/** What the checks read from the machine; the real one reads /proc and signals (tests pass their own pids). */
export interface ProcessProbe {
  /** process.kill(pid, 0): false only on ESRCH (no such process in our pid namespace). */
  exists(pid: number): boolean;
  /** Field 3 (state) and 22 (start time) of /proc/<pid>/stat, or null when unreadable. */
  stat(pid: number): { state: string; startTime: string } | null;
}

export const procProbe: ProcessProbe = {
  exists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, it is someone else's
    }
  },
  stat(pid) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 2 (comm) is in parentheses and may hold spaces or parentheses: split after the last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      const startTime = fields[19];
      return state && startTime ? { state, startTime } : null;
    } catch {
      return null;
    }
  },
};

/**
 * This process's fingerprint, or null where it cannot be taken reliably (not Linux, /proc unreadable, or a /proc
 * that belongs to another pid namespace than ours): then a predecessor is never proven dead, only waited out.
 */
export function currentFingerprint(probe: ProcessProbe = procProbe): ProcessFingerprint | null {
  try {
    const kernelBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    const self = readFileSync('/proc/self/stat', 'utf8');
    if (Number(self.slice(0, self.indexOf(' '))) !== process.pid) return null; // /proc is another namespace's
    const stat = probe.stat(process.pid);
    if (!kernelBootId || !pidNamespace || !stat) return null;
    return { hostname: hostname(), kernelBootId, pidNamespace, pid: process.pid, startTime: stat.startTime };
  } catch {
    return null;
  }
}

/** Parses a recorded fingerprint (untrusted JSON from Redis); null when it is not one. */
export function parseFingerprint(value: unknown): ProcessFingerprint | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
  if (!str(v.hostname) || !str(v.kernelBootId) || !str(v.pidNamespace) || !str(v.startTime)) return null;
  if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
  return { hostname: v.hostname, kernelBootId: v.kernelBootId, pidNamespace: v.pidNamespace, pid: v.pid, startTime: v.startTime };
}

/**
 * Why the recorded process is certainly gone, or null when that cannot be proven (then only its liveness TTL tells).
 * Proven only on the same host, kernel boot and pid namespace as `self`, when its pid no longer exists, is a zombie
 * (it never runs again; its sockets are closed), or belongs to a process started at another time (the pid was
 * reused, e.g. by this very process). A process that is merely stopped or slow is alive.
 */
export function provenDead(recorded: ProcessFingerprint, self: ProcessFingerprint | null, probe: ProcessProbe = procProbe): string | null {
  if (!self) return null;
  if (recorded.hostname !== self.hostname || recorded.kernelBootId !== self.kernelBootId || recorded.pidNamespace !== self.pidNamespace) {
    return null;
  }
  if (!probe.exists(recorded.pid)) return 'pid gone';
  const stat = probe.stat(recorded.pid);
  if (!stat) return null;
  if (stat.startTime !== recorded.startTime) return 'pid reused by another process';
  if (stat.state === 'Z' || stat.state === 'X') return 'zombie';
  return null;
}
