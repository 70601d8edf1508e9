// Writes a complete HF-format model folder with seeded random weights: config.json,
// model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json. Same
// options and seed → the same bytes in every file.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../../config/index.ts';
import { writeSafetensors } from '../../native/index.ts';
import type { ModelArch } from '../arch.ts';
import { fleetlabCacheDir } from '../cache-dir.ts';
import { toHfConfig } from '../hf-config.ts';
import { isTinyPreset, TINY_PRESET_NAMES, TINY_PRESETS, type TinyPresetName, type TinySpec } from './presets.ts';
import { randomWeights } from './random-weights.ts';
import { buildTinyTokenizer } from './tiny-tokenizer.ts';

/** Bump when anything this file writes changes, so cached tiny models are made again. */
export const TINY_GENERATOR_VERSION = 1;
export const TINY_STAMP = 'fleetlab-tiny.json';

const dim = z.number().int().positive();
const specSchema = z.strictObject({
  arch: z.enum(['llama', 'qwen2']),
  layers: dim.max(256),
  hidden: dim.max(16384),
  heads: dim,
  kv_heads: dim,
  intermediate: dim.max(65536),
  vocab: dim.min(260).max(1 << 20),
  dtype: z.enum(['f32', 'bf16']),
  max_position_embeddings: dim,
});

export interface MakeTinyOptions extends Partial<TinySpec> {
  /** Shape to start from (default `tiny`); the other fields override it. */
  readonly preset?: string;
  readonly seed: number;
  readonly out: string;
  /** Replace an existing folder (default: refuse). */
  readonly overwrite?: boolean;
}

export function resolveTinySpec(opts: Omit<MakeTinyOptions, 'seed' | 'out'>): TinySpec {
  const presetName = opts.preset ?? 'tiny';
  if (!isTinyPreset(presetName)) throw new RangeError(`unknown tiny preset ${JSON.stringify(presetName)}; expected one of ${TINY_PRESET_NAMES.join(', ')}`);
  const base: TinySpec = TINY_PRESETS[presetName];
  const merged: Record<string, unknown> = { ...base };
  for (const key of Object.keys(base) as (keyof TinySpec)[]) if (opts[key] !== undefined) merged[key] = opts[key];
  const source = `make-tiny (preset ${presetName})`;
  const spec = parseConfig(specSchema, merged, '', source);
  if (spec.hidden % spec.heads !== 0 || (spec.hidden / spec.heads) % 2 !== 0) {
    throw ConfigError.single('heads', `a divisor of hidden (${spec.hidden}) giving an even head size`, spec.heads, { source });
  }
  if (spec.heads % spec.kv_heads !== 0) throw ConfigError.single('kv_heads', `a divisor of heads (${spec.heads})`, spec.kv_heads, { source });
  return spec;
}

export function tinyArch(s: TinySpec): ModelArch {
  const llama = s.arch === 'llama';
  return {
    arch: s.arch, vocab_size: s.vocab, hidden_size: s.hidden, intermediate_size: s.intermediate,
    num_hidden_layers: s.layers, num_attention_heads: s.heads, num_key_value_heads: s.kv_heads,
    head_dim: s.hidden / s.heads,
    rms_norm_eps: llama ? 1e-5 : 1e-6,
    rope_theta: llama ? 500000 : 1000000,
    // Llama 3.2's scaling, with the original context shrunk so short tests cross its bands.
    rope_scaling: llama
      ? { kind: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: Math.min(256, s.max_position_embeddings) }
      : { kind: 'none' },
    max_position_embeddings: s.max_position_embeddings,
    // As the small Qwen2.5 models tie lm_head to the embeddings and Llama 3.x 8B does not.
    tie_word_embeddings: !llama,
    attention_bias: !llama,
  };
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export interface TinyModel {
  readonly dir: string;
  readonly spec: TinySpec;
  readonly arch: ModelArch;
  readonly weight_bytes: number;
}

export async function makeTinyModel(opts: MakeTinyOptions): Promise<TinyModel> {
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${opts.seed}`);
  const spec = resolveTinySpec(opts);
  const arch = tinyArch(spec);
  const tok = buildTinyTokenizer(spec.vocab, spec.max_position_embeddings);
  const ids = tok.special_ids;
  const dir = path.resolve(opts.out);
  const exists = await stat(dir).then(() => true, () => false);
  if (exists && !opts.overwrite) throw new Error(`${dir} already exists; pass --overwrite (overwrite: true) to replace it`);
  // Built beside the target and renamed into place: a crash never leaves half a model there.
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const weights = randomWeights(arch, opts.seed, spec.dtype);
    await writeSafetensors(path.join(tmp, 'model.safetensors'), weights);
    await writeFile(path.join(tmp, 'config.json'), json(toHfConfig(arch, {
      torch_dtype: spec.dtype === 'f32' ? 'float32' : 'bfloat16',
      bos_token_id: ids['<|endoftext|>'], eos_token_id: ids['<|im_end|>'],
    })));
    await writeFile(path.join(tmp, 'tokenizer.json'), json(tok.tokenizer));
    await writeFile(path.join(tmp, 'tokenizer_config.json'), json(tok.config));
    await writeFile(path.join(tmp, 'generation_config.json'), json({
      bos_token_id: ids['<|endoftext|>'],
      eos_token_id: [ids['<|im_end|>'], ids['<|endoftext|>']],
      pad_token_id: ids['<|endoftext|>'],
      do_sample: true, temperature: 0.7, top_p: 0.8, top_k: 20,
    }));
    await writeFile(path.join(tmp, TINY_STAMP), json({ generator_version: TINY_GENERATOR_VERSION, preset: opts.preset ?? 'tiny', seed: opts.seed, spec }));
    if (exists) await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return { dir, spec, arch, weight_bytes: weights.reduce((n, w) => n + w.data.byteLength, 0) };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The folder of a preset's tiny model (seed 0) under `<fleetlab cache>/models/<preset>`,
 * written on first use and again when the generator changed (see cache-dir.ts for the root).
 */
const making = new Map<string, Promise<string>>();

export async function ensureTinyModel(preset: TinyPresetName = 'tiny', root = fleetlabCacheDir()): Promise<string> {
  const dir = path.join(root, 'models', preset);
  // Concurrent callers in one process share one write instead of racing on the same folder.
  const inFlight = making.get(dir);
  if (inFlight !== undefined) return inFlight;
  const made = ensureTinyModelOnce(preset, dir).finally(() => making.delete(dir));
  making.set(dir, made);
  return made;
}

async function ensureTinyModelOnce(preset: TinyPresetName, dir: string): Promise<string> {
  const want = { generator_version: TINY_GENERATOR_VERSION, preset, seed: 0, spec: resolveTinySpec({ preset }) };
  const have = await readFile(path.join(dir, TINY_STAMP), 'utf8').catch(() => undefined);
  if (have === json(want)) return dir;
  await makeTinyModel({ preset, seed: 0, out: dir, overwrite: true });
  return dir;
}
