// Shared by the real-engine tests: a private model cache per test file, and a stream collector.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GenerationDelta } from '../../backend/engine/types.ts';

/** Points FLEETLAB_CACHE_DIR at a fresh folder (tiny models, conversions) removed after the file's tests. */
export function privateModelCache(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fleetlab-${label}-`));
  process.env['FLEETLAB_CACHE_DIR'] = dir;
  test.after.always(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Out {
  ids: number[];
  text: string;
  finish: string | undefined;
}

/** Collects a stream; `onToken` sees the running count (to time a migration or a kill mid-decode). */
export async function collect(stream: AsyncIterable<GenerationDelta>, onToken?: (n: number) => void): Promise<Out> {
  const out: Out = { ids: [], text: '', finish: undefined };
  for await (const d of stream) {
    out.ids.push(...d.token_ids);
    out.text += d.text;
    out.finish = d.finish_reason ?? out.finish;
    onToken?.(out.ids.length);
  }
  return out;
}
