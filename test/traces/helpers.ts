import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import type { Rng, WorkloadStreams } from '../../traces/index.ts';

export function stream(seed: string): Rng {
  const prng = seedrandom(seed);
  return () => prng();
}

export function streams(seed: string): WorkloadStreams {
  return { arrivals: stream(`${seed}/arrivals`), lengths: stream(`${seed}/lengths`), priorities: stream(`${seed}/priorities`) };
}

/** Writes fixture files into a fresh temp dir and returns it. */
export function fixtureDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-traces-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Coefficient of variation (population). */
export function cv(xs: readonly number[]): number {
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) * (x - m), 0) / xs.length;
  return Math.sqrt(variance) / m;
}

export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] ?? 0));
}
