/**
 * The machine's latency of one dependent memory load, by working-set size: a pointer chase
 * through a random cycle (each load's address is the previous load's value, so the loads
 * cannot overlap and the hardware prefetcher cannot guess the next line). `bench:scale` prints
 * it beside its table: past the caches, what a simulated event costs beyond the smallest
 * fleet's is about this latency times the cold lines the event loads (docs/performance.md).
 */

/** One cache line per step of the chase: 16 Uint32 slots are 64 bytes. */
const SLOTS_PER_LINE = 16;

export interface LatencyPoint {
  readonly bytes: number;
  /** Nanoseconds per dependent load. */
  readonly ns: number;
}

/** ns per dependent load over `bytes` of memory (one slot per cache line, `chaseCycle`). */
export function chaseLatency(bytes: number, loads: number): LatencyPoint {
  const lines = Math.max(2, Math.floor(bytes / 64));
  const slots = chaseCycle(lines);
  let at = 0;
  // Once around (or `loads` steps) untimed, so the pages are mapped and the caches settled.
  for (let k = Math.min(lines, loads); k > 0; k--) at = slots[at] as number;
  const started = process.hrtime.bigint();
  for (let k = loads; k > 0; k--) at = slots[at] as number;
  const elapsed_ns = Number(process.hrtime.bigint() - started);
  // `at` is used, so the loop is not dead code.
  if (at < 0) throw new Error('unreachable');
  return { bytes: lines * 64, ns: elapsed_ns / loads };
}

/**
 * The chase's memory: `lines` cache lines, the first slot of each holding the slot index of the
 * next line in one random cycle through all of them (Sattolo's algorithm over a fixed-seed
 * xorshift stream, so every run measures the same chase).
 */
export function chaseCycle(lines: number): Uint32Array {
  const order = new Uint32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  let seed = 0x9e3779b9;
  const next = (): number => {
    // xorshift32: a fixed, cheap stream; the chase needs a scattered order, not statistics.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(next() * i);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const slots = new Uint32Array(lines * SLOTS_PER_LINE);
  for (let i = 0; i < lines; i++) slots[(order[i] as number) * SLOTS_PER_LINE] = (order[(i + 1) % lines] as number) * SLOTS_PER_LINE;
  return slots;
}

/** The chase at sizes inside L2, inside a typical L3, and well past it. */
export function latencyLadder(): LatencyPoint[] {
  return [256 << 10, 4 << 20, 32 << 20, 512 << 20].map((bytes) => chaseLatency(bytes, 4_000_000));
}
