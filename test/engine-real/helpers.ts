// Shared by the real-engine tests: a private model cache per test file, a stream collector, one
// engine's reference outputs, and process and polling helpers.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMEngine, type LLMEngineOptions } from '../../backend/engine/llm-engine.ts';
import type { GenerationDelta, SamplingParams } from '../../backend/engine/types.ts';
import { Fleet, type MigrationParams } from '../../backend/manager/fleet.ts';

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

/**
 * What one engine alone (no fleet, no migration, no failure) answers to `prompts`, request ids
 * `<id_prefix><i>`: the outputs a fleet's must equal token for token. `sampling` is one for all
 * or one per prompt.
 */
export async function oneEngineOutputs(
  prompts: readonly (readonly number[])[],
  sampling: SamplingParams | readonly SamplingParams[],
  opts: { engine?: Omit<LLMEngineOptions, 'model'>; id_prefix?: string } = {},
): Promise<Out[]> {
  const e = await LLMEngine.create({ model: 'tiny', ...opts.engine });
  const params = (i: number): SamplingParams => (Array.isArray(sampling) ? (sampling as readonly SamplingParams[])[i]! : (sampling as SamplingParams));
  try {
    return await Promise.all(prompts.map((p, i) => collect(e.generate({ request_id: `${opts.id_prefix ?? 'ref'}${i}`, prompt_token_ids: p, sampling: params(i) }))));
  } finally {
    await e.shutdown();
  }
}

/** Whether a process with this pid still exists. */
export { alive, until } from '../waiting.ts';

/**
 * Two instances behind a fleet that never migrates by itself; `prompts` decode (ids
 * `${prefix}0…`), and once one has 5 tokens, six migrations are forced both ways, each awaited.
 * Returns every client's output and the (stopped) fleet, whose `migrations` say what happened.
 */
export async function outputsWithForcedMigrations(
  prompts: readonly number[][], prefix: string, engine: Omit<LLMEngineOptions, 'model'>, migration: MigrationParams, sampling: SamplingParams,
): Promise<{ outs: Out[]; fleet: Fleet }> {
  const fleet = await Fleet.start({
    instances: 2, engine: { model: 'tiny', ...engine }, migration,
    scheduler: { dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 1e9, queued_demand: 'head-of-line' }, selector: { kind: 'LCFS' }, trigger: { kind: 'every-reports', reports_per_instance: 1e6 } },
  });
  try {
    let started: () => void;
    const decoding = new Promise<void>((r) => (started = r));
    const runs = prompts.map((p, i) => collect(fleet.generate({ request_id: `${prefix}${i}`, prompt_token_ids: p, sampling }), (n) => n === 5 && started()));
    await decoding;
    for (let k = 0; k < 6; k++) await fleet.migrate(k % 2, 1 - (k % 2));
    return { outs: await Promise.all(runs), fleet };
  } finally {
    await fleet.stop();
  }
}
