import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedPoint } from './resolve.ts';
import type { PointLabels, Sweep } from './types.ts';

/** `<out>/sweep.json`: every point's id, labels and seed, so `merge` can label summaries. */
export interface Manifest {
  readonly name: string;
  readonly base_seed: number;
  readonly points: readonly { readonly id: string; readonly seed: number; readonly labels: PointLabels }[];
}

/**
 * Written whole (all points, not only this shard's) and by rename, so shards sharing a folder
 * write the same bytes and a reader never sees half a file.
 */
export function writeManifest(sweep: Sweep, resolved: readonly ResolvedPoint[], out: string): void {
  const manifest: Manifest = {
    name: sweep.name,
    base_seed: sweep.base_seed,
    points: [...resolved]
      .sort((a, b) => (a.point.id < b.point.id ? -1 : 1))
      .map((r) => ({ id: r.point.id, seed: r.config.seed, labels: r.point.labels })),
  };
  mkdirSync(out, { recursive: true });
  const tmp = join(out, `.sweep.json.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, join(out, 'sweep.json'));
}

export function readManifest(out: string): Manifest | undefined {
  const path = join(out, 'sweep.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Manifest) : undefined;
}
