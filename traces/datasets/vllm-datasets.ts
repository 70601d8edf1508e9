/**
 * `vllm bench serve` datasets by name (`--dataset-name sharegpt | random | burstgpt | sonnet |
 * custom`): one exported function per dataset, each returning n requests' lengths (and shared
 * prefixes where the dataset has them), drawn from the caller's seeded stream. The `fleetlab run`
 * flags that mirror vLLM's (`--dataset-name`, `--dataset-path`, …) call these through
 * `sampleVllmDataset`, as a config does with `workload.lengths.dataset`.
 */
import type { TraceLoader } from '../lengths/sample.ts';
import type { TraceSourceInput } from '../loaders/source.ts';
import type { Rng } from '../request.ts';
import { type DatasetCounts, type DatasetRequest, sampleRowsWithoutReplacement, sharedPrefixIds, uniformInt } from './sample.ts';
import type { VllmDataset } from './schema.ts';

type Of<N extends VllmDataset['name']> = Extract<VllmDataset, { name: N }>;

/** vLLM's engine block size: shared prefixes are identified per 16-token block. */
export const PREFIX_BLOCK_TOKENS = 16;

/** vLLM's ShareGPT filter (`is_valid_sequence`): prompt ≥ 4, output ≥ 4, prompt ≤ 1024, total ≤ 2048. */
const SHAREGPT_FILTER = { min: 4, max_prompt: 1024, max_total: 2048 };

/** The trace source a ShareGPT dataset reads: JSON/JSONL conversations, or a CSV of lengths. */
function shareGptSource(d: Of<'sharegpt'>): TraceSourceInput {
  const format = d.path === 'builtin:sharegpt' || d.path.endsWith('.csv') ? 'lengths' : 'sharegpt';
  const filter = !d.filter
    ? {}
    : d.output_len === undefined
      ? { min_prompt_tokens: SHAREGPT_FILTER.min, min_output_tokens: SHAREGPT_FILTER.min, max_prompt_tokens: SHAREGPT_FILTER.max_prompt, max_total_tokens: SHAREGPT_FILTER.max_total }
      : // A fixed output skips the output minimum, and the total then bounds the prompt alone.
        { min_prompt_tokens: SHAREGPT_FILTER.min, max_prompt_tokens: Math.min(SHAREGPT_FILTER.max_prompt, SHAREGPT_FILTER.max_total - d.output_len) };
  return { format, path: d.path, ...(format === 'sharegpt' ? { chars_per_token: d.chars_per_token } : {}), ...filter };
}

/**
 * `sharegpt`: turn 0 is the prompt, turn 1 the reference answer whose length is the output
 * (or `output_len`); vLLM's validity filter drops (and counts) short and long rows; n rows are
 * taken in a seeded random order, oversampled (counted) when fewer remain.
 */
export function sampleShareGptDataset(d: Of<'sharegpt'>, n: number, rng: Rng, load: TraceLoader, counts: DatasetCounts): DatasetRequest[] {
  const trace = load(shareGptSource(d));
  return sampleRowsWithoutReplacement(trace, n, rng, counts).map((i) => {
    const row = trace.rows[i];
    return { prompt_tokens: row?.prompt_tokens ?? 0, output_tokens: d.output_len ?? row?.output_tokens ?? 0 };
  });
}

/**
 * `random`: prompt = prefix_len + U{⌊input_len·(1−r)⌋ … ⌈input_len·(1+r)⌉}, output =
 * U{⌊output_len·(1−r)⌋ … ⌈output_len·(1+r)⌉} (at least 1), all prompts opening with the same
 * prefix_len tokens. Draws one uniform per prompt, then one per output.
 */
export function sampleRandomDataset(d: Of<'random'>, n: number, rng: Rng): DatasetRequest[] {
  const range = (len: number): [number, number] => [Math.max(1, Math.floor(len * (1 - d.range_ratio))), Math.ceil(len * (1 + d.range_ratio))];
  const [inLow, inHigh] = range(d.input_len);
  const [outLow, outHigh] = range(d.output_len);
  const inputs = Array.from({ length: n }, () => uniformInt(rng, inLow, inHigh));
  const outputs = Array.from({ length: n }, () => uniformInt(rng, outLow, outHigh));
  const next = { id: Math.floor(d.prefix_len / PREFIX_BLOCK_TOKENS) };
  return inputs.map((input, i) => {
    const prompt = d.prefix_len + input;
    const base = { prompt_tokens: prompt, output_tokens: outputs[i] ?? 1 };
    if (d.prefix_len < PREFIX_BLOCK_TOKENS) return base;
    return { ...base, hash_ids: sharedPrefixIds(d.prefix_len, prompt, PREFIX_BLOCK_TOKENS, next), hash_block_tokens: PREFIX_BLOCK_TOKENS };
  });
}

/**
 * `burstgpt`: rows of the given models (GPT-4 by default, as vLLM) whose response has tokens
 * (failed requests dropped and counted), sampled without replacement while rows last
 * (oversampled, counted, beyond); prompt = `Request tokens`, output = `Response tokens`.
 */
export function sampleBurstGptDataset(d: Of<'burstgpt'>, n: number, rng: Rng, load: TraceLoader, counts: DatasetCounts): DatasetRequest[] {
  const trace = load({ format: 'burstgpt', path: d.path, models: d.models });
  return sampleRowsWithoutReplacement(trace, n, rng, counts).map((i) => ({ prompt_tokens: trace.rows[i]?.prompt_tokens ?? 0, output_tokens: trace.rows[i]?.output_tokens ?? 0 }));
}

/**
 * `sonnet`: every prompt is `input_len` tokens whose first `prefix_len` are shared by all
 * requests (vLLM builds them from the same opening sonnet lines), output `output_len`. fleetlab
 * needs no sonnet text: it models the lengths and the shared prefix, not the words.
 */
export function sampleSonnetDataset(d: Of<'sonnet'>, n: number): DatasetRequest[] {
  const prompt = Math.max(d.input_len, d.prefix_len);
  const next = { id: Math.floor(d.prefix_len / PREFIX_BLOCK_TOKENS) };
  return Array.from({ length: n }, () => {
    const base = { prompt_tokens: prompt, output_tokens: d.output_len };
    if (d.prefix_len < PREFIX_BLOCK_TOKENS) return base;
    return { ...base, hash_ids: sharedPrefixIds(d.prefix_len, prompt, PREFIX_BLOCK_TOKENS, next), hash_block_tokens: PREFIX_BLOCK_TOKENS };
  });
}

/** `custom`: vLLM's per-request JSONL (format `vllm-jsonl`), rows in a seeded random order (oversampled, counted, beyond). */
export function sampleCustomDataset(d: Of<'custom'>, n: number, rng: Rng, load: TraceLoader, counts: DatasetCounts): DatasetRequest[] {
  const trace = load({ format: 'vllm-jsonl', path: d.path, output_len: d.output_len, chars_per_token: d.chars_per_token });
  return sampleRowsWithoutReplacement(trace, n, rng, counts).map((i) => {
    const row = trace.rows[i];
    const base = { prompt_tokens: row?.prompt_tokens ?? 0, output_tokens: row?.output_tokens ?? 0 };
    return row?.hash_ids === undefined ? base : { ...base, hash_ids: row.hash_ids, hash_block_tokens: 512 };
  });
}

/** n requests of the named dataset (the single entry point the CLI and the workload use). */
export function sampleVllmDataset(d: VllmDataset, n: number, rng: Rng, load: TraceLoader, counts: DatasetCounts): DatasetRequest[] {
  switch (d.name) {
    case 'sharegpt':
      return sampleShareGptDataset(d, n, rng, load, counts);
    case 'random':
      return sampleRandomDataset(d, n, rng);
    case 'burstgpt':
      return sampleBurstGptDataset(d, n, rng, load, counts);
    case 'sonnet':
      return sampleSonnetDataset(d, n);
    case 'custom':
      return sampleCustomDataset(d, n, rng, load, counts);
  }
}
