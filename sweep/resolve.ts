import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderNameProblem } from '../config/index.ts';
import { VERSION, verifyResults, readResultsManifest } from '../metrics/index.ts';
import { parseRunConfig, type RunConfig } from '../sim/index.ts';
import { derivedSeed } from './seed.ts';
import type { Sweep, SweepPoint } from './types.ts';

const ID = /^[A-Za-z0-9._+-]+$/;

/** A point with its final config: derived seed, name = point id, every default filled. */
export interface ResolvedPoint {
  readonly point: SweepPoint;
  readonly config: RunConfig;
  readonly dir: string;
}

/** Checks ids (folder-safe, unique) and resolves every point's config; errors name the point. */
export function resolveSweep(sweep: Sweep, out: string): ResolvedPoint[] {
  const seen = new Set<string>();
  return sweep.points.map((point) => {
    if (!ID.test(point.id) || folderNameProblem(point.id) !== undefined) {
      throw new Error(`sweep ${sweep.name}: point id "${point.id}" must match ${ID} and not be "." or ".." (it names a folder under points/)`);
    }
    if (seen.has(point.id)) throw new Error(`sweep ${sweep.name}: duplicate point id "${point.id}"`);
    seen.add(point.id);
    const seed = derivedSeed(sweep.base_seed, point.seed_group ?? point.id);
    const config = parseRunConfig({ ...point.config, name: point.id, seed }, `sweep ${sweep.name}, point ${point.id}`);
    return { point, config, dir: join(out, 'points', point.id) };
  });
}

/** The exact text writeResults gives config.json for this config. */
export function configJson(config: RunConfig): string {
  return `${JSON.stringify({ fleetlab_version: VERSION, ...config }, null, 2)}\n`;
}

/**
 * A point is finished when its folder is whole (every file matches the manifest's size and
 * checksum: an emptied requests.csv or a truncated summary.json is not finished) and its
 * config.json is the one it would write now: a changed config (or fleetlab version) re-runs it.
 */
export function isFinished(resolved: ResolvedPoint): boolean {
  const summary = join(resolved.dir, 'summary.json');
  const config = join(resolved.dir, 'config.json');
  if (!existsSync(summary) || !existsSync(config) || readFileSync(config, 'utf8') !== configJson(resolved.config)) return false;
  if (readResultsManifest(resolved.dir) !== undefined) return verifyResults(resolved.dir) === undefined;
  // A folder from before the manifest: finished only if its summary parses and requests.csv has a header.
  try {
    JSON.parse(readFileSync(summary, 'utf8'));
    return readFileSync(join(resolved.dir, 'requests.csv'), 'utf8').includes('\n');
  } catch {
    return false;
  }
}
