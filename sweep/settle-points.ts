// What a local sweep and a queued one share: this shard's points, and running them all to the
// end (every point tried, each failure named) with the progress bar ticking as they finish.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from '../metrics/index.ts';
import { writeManifest } from './manifest.ts';
import { resolveSweep, type ResolvedPoint } from './resolve.ts';
import { selectShard } from './shard.ts';
import type { Shard, Sweep } from './types.ts';

/** Resolves every point, writes the sweep's manifest, and returns this shard's points (sorted by id). */
export function shardPoints(sweep: Sweep, out: string, shard: Shard | undefined): ResolvedPoint[] {
  const all = resolveSweep(sweep, out);
  writeManifest(sweep, all, out);
  return selectShard(all.map((r) => ({ ...r.point, resolved: r })), shard).map((p) => p.resolved);
}

/** A finished point's summary.json. */
export function readSummary(dir: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
}

/** Runs `one` on every point; fails after all have ended, naming each failed point. */
export async function settlePoints<T>(sweepName: string, points: readonly ResolvedPoint[], one: (r: ResolvedPoint) => Promise<T>, bar: { tick(id: string): void }): Promise<T[]> {
  const settled = await Promise.allSettled(
    points.map(async (r) => {
      const outcome = await one(r);
      bar.tick(r.point.id);
      return outcome;
    }),
  );
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${points[i]?.point.id}: ${String(s.reason)}`] : []));
  if (failures.length > 0) throw new Error(`sweep ${sweepName}: ${failures.length} point(s) failed:\n${failures.join('\n')}`);
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}
