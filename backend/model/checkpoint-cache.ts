// Converts a model folder's safetensors once into the project's loading-optimised checkpoint
// (backend/native: aligned partitions that the loader reads with O_DIRECT) and reuses it while
// the sources are unchanged.
//
// Where: `<model>/.fleetlab/checkpoint/` beside the weights, with `<model>/.fleetlab/source.json`
// recording what it was made from. When the model folder is not writable (a read-only HF cache),
// `<fleetlab cache>/checkpoints/<hash of the folder's real path>/` instead (see cache-dir.ts).
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { readCheckpointIndex, writeCheckpoint } from '../native/index.ts';
import { fleetlabCacheDir } from './cache-dir.ts';
import type { ModelFolder } from './model-folder.ts';

const STAMP_VERSION = 1;
export const CACHE_SUBDIR = '.fleetlab';

export interface CheckpointCacheOptions {
  /** Use this folder for the stamp and checkpoint instead of choosing one. */
  readonly cacheDir?: string;
  /** Convert again even when the stamp matches. */
  readonly force?: boolean;
}

export interface CachedCheckpoint {
  /** The checkpoint directory (loadCheckpoint reads it). */
  readonly dir: string;
  /** false when an up-to-date conversion was reused. */
  readonly converted: boolean;
  readonly seconds: number;
}

interface Stamp {
  version: number;
  sources: Array<{ file: string; bytes: number; mtime_ms: number }>;
  tensors: string[];
}

async function makeStamp(folder: ModelFolder): Promise<Stamp> {
  const sources = await Promise.all(folder.files.map(async (f) => {
    const s = await stat(f);
    return { file: path.basename(f), bytes: s.size, mtime_ms: s.mtimeMs };
  }));
  return { version: STAMP_VERSION, sources, tensors: folder.tensors.used.map((t) => t.name) };
}

async function writable(dir: string): Promise<boolean> {
  return access(dir, constants.W_OK).then(() => true, () => false);
}

/** The folder that holds `source.json` and `checkpoint/` for this model. */
export async function checkpointCacheDir(folder: ModelFolder, opts: CheckpointCacheOptions = {}): Promise<string> {
  if (opts.cacheDir !== undefined) return path.resolve(opts.cacheDir);
  if (await writable(folder.dir)) return path.join(folder.dir, CACHE_SUBDIR);
  const key = createHash('sha256').update(await realpath(folder.dir)).digest('hex').slice(0, 16);
  return path.join(fleetlabCacheDir(), 'checkpoints', key);
}

const converting = new Map<string, Promise<CachedCheckpoint>>();

/**
 * The model's converted checkpoint, converted now if missing or stale. Concurrent calls in one
 * process for the same folder share one conversion (processes are expected to start one after
 * another, as the fleet starts its instances).
 */
export async function ensureCheckpoint(folder: ModelFolder, opts: CheckpointCacheOptions = {}): Promise<CachedCheckpoint> {
  const root = await checkpointCacheDir(folder, opts);
  const inFlight = converting.get(root);
  if (inFlight !== undefined) return inFlight;
  const done = ensureCheckpointOnce(folder, root, opts).finally(() => converting.delete(root));
  converting.set(root, done);
  return done;
}

async function ensureCheckpointOnce(folder: ModelFolder, root: string, opts: CheckpointCacheOptions): Promise<CachedCheckpoint> {
  const t0 = performance.now();
  const ckpt = path.join(root, 'checkpoint');
  const stampFile = path.join(root, 'source.json');
  const want = await makeStamp(folder);
  const wantText = `${JSON.stringify(want, null, 1)}\n`;
  if (!opts.force) {
    const have = await readFile(stampFile, 'utf8').catch(() => undefined);
    // The stamp is written after the checkpoint is published, so a matching stamp means a
    // complete conversion; the index is read back to catch a checkpoint removed by hand.
    if (have === wantText && (await readCheckpointIndex(ckpt).then(() => true, () => false))) {
      return { dir: ckpt, converted: false, seconds: (performance.now() - t0) / 1e3 };
    }
  }
  await mkdir(root, { recursive: true });
  await rm(stampFile, { force: true }); // a stale stamp must never vouch for a half-made conversion
  await writeCheckpoint(ckpt, folder.tensors.used.map((t) => ({
    name: t.name, dtype: t.dtype, shape: t.shape, data: { file: t.file, offset: t.begin, size: t.end - t.begin },
  })), { overwrite: true });
  const tmp = `${stampFile}.tmp-${process.pid}`;
  await writeFile(tmp, wantText);
  await rename(tmp, stampFile);
  return { dir: ckpt, converted: true, seconds: (performance.now() - t0) / 1e3 };
}
