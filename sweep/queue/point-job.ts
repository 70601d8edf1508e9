import { createHash } from 'node:crypto';
import { VERSION } from '../../metrics/index.ts';
import type { RunConfig } from '../../sim/index.ts';
import { configJson, type ResolvedPoint } from '../resolve.ts';
import type { PackedFiles } from './point-files.ts';

/** What one BullMQ job carries: a resolved point, plain JSON. */
export interface PointJobData {
  readonly sweep: string;
  readonly point_id: string;
  /** The resolved config (derived seed, name = point id): workers run exactly this. */
  readonly config: RunConfig;
  /** Where the enqueuer resolved relative paths of the config from (a worker may override it). */
  readonly base_dir: string;
  /** The enqueuer's fleetlab version: a worker of another version refuses the point. */
  readonly fleetlab_version: string;
}

/** What a worker returns: the point folder's files, written by the enqueuer. */
export interface PointJobResult {
  readonly point_id: string;
  readonly files: PackedFiles;
}

/**
 * The job id: a hash of everything a point's results depend on (its config.json text, which
 * holds the fleetlab version, seed and name, and the folder relative paths resolve from). The
 * same point enqueued twice — a restarted enqueuer, two people sharing a queue — is one job,
 * run once; a changed config is a new job. The `pt-` prefix keeps BullMQ from reading an
 * all-digit id as a number.
 */
export function pointJobId(config: RunConfig, baseDir: string): string {
  return `pt-${createHash('sha256').update(configJson(config)).update('\0').update(baseDir).digest('hex')}`;
}

export function pointJobData(sweep: string, resolved: ResolvedPoint, baseDir: string): PointJobData {
  return { sweep, point_id: resolved.point.id, config: resolved.config, base_dir: baseDir, fleetlab_version: VERSION };
}
