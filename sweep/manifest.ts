import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { OutputPathError } from '../metrics/index.ts';
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
  checkSweepFolder(out);
  mkdirSync(out, { recursive: true });
  const tmp = join(out, `.sweep.json.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, join(out, 'sweep.json'));
}

/**
 * A sweep writes only into a new or empty folder, or one holding its sweep.json (a sweep
 * resuming, or another shard): never into a user's folder or the working directory.
 */
export function checkSweepFolder(out: string): void {
  let stat;
  try {
    stat = lstatSync(out);
  } catch {
    return;
  }
  if (!stat.isDirectory()) throw new OutputPathError(out, 'it is not a folder; a sweep writes <out>/sweep.json and <out>/points/');
  if (readdirSync(out).length > 0 && !existsSync(join(out, 'sweep.json'))) {
    throw new OutputPathError(out, 'the folder exists, is not empty and holds no sweep.json (it was not written by a fleetlab sweep); give a new folder');
  }
}

export function readManifest(out: string): Manifest | undefined {
  const path = join(out, 'sweep.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (cause) {
    throw new Error(`${path} is not valid JSON (${(cause as Error).message}); remove it to rewrite it from the sweep file`, { cause });
  }
}
