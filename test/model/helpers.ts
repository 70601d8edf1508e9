// Shared helpers for the model tests (not a test file: ava only runs *.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTinyModel, type MakeTinyOptions } from '../../backend/model/index.ts';

export async function tempDir(prefix = 'fleetlab-model-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A very small model (fast to write and convert): 2 layers, hidden 32. */
export const MICRO = { layers: 2, hidden: 32, heads: 4, kv_heads: 2, intermediate: 48, vocab: 320 } as const;

export async function microModel(dir: string, opts: Partial<MakeTinyOptions> = {}): Promise<string> {
  const out = path.join(dir, opts.out ?? 'model');
  await makeTinyModel({ ...MICRO, seed: 1, ...opts, out });
  return out;
}
