// CPU time of a process, split into its main thread (the JavaScript event loop) and its other
// threads (the libuv pool, where the forward pass runs, and V8's helpers), read from Linux's
// /proc so that another process (an instance, the client) can be measured from the bench.
// Elsewhere every figure is NaN and the bench prints "—".
import { readFileSync } from 'node:fs';

export interface ProcessCpuMs {
  /** Every thread, those that have exited included. */
  readonly total: number;
  /** The thread whose id is the process id. */
  readonly main: number;
}

/** utime + stime of a /proc stat line in milliseconds (the kernel counts 100 ticks per second on Linux). */
function statCpuMs(path: string): number {
  const text = readFileSync(path, 'utf8');
  // The command name may hold spaces or parentheses: the fields start after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function processCpuMs(pid: number): ProcessCpuMs {
  try {
    return { total: statCpuMs(`/proc/${pid}/stat`), main: statCpuMs(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return { total: Number.NaN, main: Number.NaN };
  }
}

/** CPU milliseconds per token between two readings: the main thread, the other threads, all. */
export function cpuPerToken(before: ProcessCpuMs, after: ProcessCpuMs, tokens: number): { main: number; others: number; total: number } {
  const total = (after.total - before.total) / tokens;
  const main = (after.main - before.main) / tokens;
  return { main, others: total - main, total };
}
