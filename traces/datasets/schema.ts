import { z } from 'zod';

const Tokens = z.number().int().positive();
/** A file path (relative to the workload's base directory) or a `builtin:<name>` shipped trace. */
const Path = z.string().min(1);

/**
 * `vllm bench serve --dataset-name X` datasets, by name, with vLLM's option names (without the
 * `--X-` prefix) and defaults. fleetlab has no tokenizer: lengths are token counts; see
 * docs/traces.md for what each one keeps from vLLM and what it approximates.
 */
export const VllmDatasetSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.literal('sharegpt'),
    /** ShareGPT JSON/JSONL (`--dataset-path`), or a lengths CSV such as `builtin:sharegpt`. */
    path: Path,
    /** Fixed output length instead of the reference answer's (`--sharegpt-output-len`). Tokens. */
    output_len: Tokens.optional(),
    /** Characters per token of the estimate for conversation text (no tokenizer). */
    chars_per_token: z.number().positive().default(4),
    /** vLLM's sequence filter: prompt and output ≥ 4, prompt ≤ 1024, total ≤ 2048 (false: keep every row). */
    filter: z.boolean().default(true),
  }),
  z.strictObject({
    name: z.literal('random'),
    /** `--random-input-len`. Tokens. */
    input_len: Tokens.default(1024),
    /** `--random-output-len`. Tokens. */
    output_len: Tokens.default(128),
    /** `--random-range-ratio`: lengths uniform on [len·(1−r), len·(1+r)]. Unitless, < 1. */
    range_ratio: z.number().min(0).lt(1).default(0),
    /** `--random-prefix-len`: tokens every prompt starts with (one shared prefix). Tokens. */
    prefix_len: z.number().int().nonnegative().default(0),
  }),
  z.strictObject({
    name: z.literal('burstgpt'),
    /** BurstGPT CSV (`--dataset-path`). */
    path: Path,
    /** Model rows kept (vLLM keeps GPT-4). */
    models: z.array(z.string()).min(1).default(['GPT-4']),
  }),
  z.strictObject({
    name: z.literal('sonnet'),
    /** `--sonnet-input-len`: prompt tokens (vLLM builds the prompt from sonnet lines to about this). Tokens. */
    input_len: Tokens.default(550),
    /** `--sonnet-output-len`. Tokens. */
    output_len: Tokens.default(150),
    /** `--sonnet-prefix-len`: tokens of the prompt every request shares. Tokens. */
    prefix_len: z.number().int().nonnegative().default(200),
  }),
  z.strictObject({
    name: z.literal('custom'),
    /** vLLM custom JSONL (`{"prompt": …}` per line), read as format `vllm-jsonl`. */
    path: Path,
    /** `--custom-output-len`: output of a line that names none. Tokens. */
    output_len: Tokens.default(256),
    chars_per_token: z.number().positive().default(4),
  }),
]);

export type VllmDataset = z.output<typeof VllmDatasetSchema>;
export type VllmDatasetInput = z.input<typeof VllmDatasetSchema>;
export const VLLM_DATASET_NAMES = VllmDatasetSchema.options.map((o) => o.shape.name.value);
