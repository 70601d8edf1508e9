import { TraceError } from '../errors.ts';
import { jsonlObjects } from './jsonl.ts';
import { parseTime, parseTokens, type Where } from './fields.ts';
import type { Parsed, RawRow } from './pipeline.ts';

export interface VllmJsonlOptions {
  /** ceil(characters / chars_per_token) estimates the tokens of a `prompt` text. */
  readonly chars_per_token: number;
  /** Output tokens of a line that names none (vLLM's `--custom-output-len`). */
  readonly output_len: number;
}

/** Names a per-request line may give its lengths under (vLLM's datasets and result files, Mooncake/guidellm traces). */
const PROMPT_KEYS = ['prompt_len', 'input_len', 'input_length', 'prompt_tokens'] as const;
const OUTPUT_KEYS = ['output_len', 'output_length', 'output_tokens', 'max_tokens'] as const;

function oneOf(rec: Record<string, unknown>, keys: readonly string[], where: Where): [string, unknown] | undefined {
  const present = keys.filter((k) => rec[k] !== undefined);
  if (present.length > 1) throw new TraceError({ ...where, field: present.join('/'), value: present.map((k) => rec[k]), expected: `one of ${keys.join(', ')}, not several` });
  const key = present[0];
  return key === undefined ? undefined : [key, rec[key]];
}

/**
 * vLLM's per-request JSONL: one object per line, as `vllm bench serve --dataset-name custom`
 * reads (`{"prompt": "…"}`, output from `--custom-output-len`) and as timed-trace files give
 * (`timestamp` in ms, as vLLM's Mooncake/Alibaba replay; optional `hash_ids`). Lengths come from a
 * token count when the line has one (`prompt_len`/`input_len`/`input_length`/`prompt_tokens`,
 * `output_len`/`output_length`/`output_tokens`/`max_tokens`), else the prompt text is estimated
 * as ceil(characters / chars_per_token) and the output is `output_len`. Either every line has a
 * `timestamp` or none does. Blank lines are skipped.
 */
export function parseVllmJsonl(text: string, file: string, opts: VllmJsonlOptions): Parsed {
  const rows: RawRow[] = [];
  let timed: boolean | undefined;
  for (const { line, rec } of jsonlObjects(text, file)) {
    const where = { file, line };
    const promptCount = oneOf(rec, PROMPT_KEYS, where);
    let prompt: number;
    if (promptCount !== undefined) prompt = parseTokens(promptCount[1], where, promptCount[0]);
    else if (typeof rec['prompt'] === 'string') prompt = Math.ceil(rec['prompt'].length / opts.chars_per_token);
    else throw new TraceError({ ...where, field: 'prompt', value: rec['prompt'], expected: `a prompt text or a token count (${PROMPT_KEYS.join(', ')})` });
    const outputCount = oneOf(rec, OUTPUT_KEYS, where);
    const output = outputCount === undefined ? opts.output_len : parseTokens(outputCount[1], where, outputCount[0]);
    const hasTime = rec['timestamp'] !== undefined;
    if (timed !== undefined && timed !== hasTime) throw new TraceError({ ...where, field: 'timestamp', value: rec['timestamp'], expected: `a timestamp on every line or on none (earlier lines ${timed ? 'have one' : 'have none'})` });
    timed = hasTime;
    const base: RawRow = { prompt_tokens: prompt, output_tokens: output, line, ...(hasTime ? { time_s: parseTime(rec['timestamp'], where, 'timestamp', 'milliseconds') / 1000 } : {}) };
    const ids = rec['hash_ids'];
    if (ids === undefined) rows.push(base);
    else if (Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id))) rows.push({ ...base, hash_ids: ids as number[] });
    else throw new TraceError({ ...where, field: 'hash_ids', value: ids, expected: 'an array of integers' });
  }
  return { rows, dropped: {} };
}
