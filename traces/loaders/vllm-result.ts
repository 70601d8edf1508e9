import { TraceError } from '../errors.ts';
import { parseTime, parseTokens } from './fields.ts';
import { countDrop, type Parsed, type RawRow } from './pipeline.ts';

/**
 * A `vllm bench serve --save-result --save-detailed` result JSON, replayed request by request:
 * `input_lens[i]` prompt tokens, `output_lens[i]` output tokens (what the server generated),
 * `start_times[i]` (seconds; newer vLLM) as the arrival when present. A request with a non-empty
 * `errors[i]` failed on the real server and is dropped and counted (`failed_request`). Entries
 * are named by index in errors.
 */
export function parseVllmResult(text: string, file: string): Parsed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new TraceError({ file, expected: `a vllm bench serve result JSON (${(cause as Error).message})` }, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TraceError({ file, value: doc, expected: 'a JSON object (a vllm bench serve result)' });
  const rec = doc as Record<string, unknown>;
  const array = (key: string, required: boolean): unknown[] | undefined => {
    const v = rec[key];
    if (v === undefined && !required) return undefined;
    if (!Array.isArray(v)) throw new TraceError({ file, field: key, value: v, expected: 'an array (save the result with --save-detailed)' });
    return v;
  };
  const inputs = array('input_lens', true) as unknown[];
  const outputs = array('output_lens', true) as unknown[];
  const starts = array('start_times', false);
  const errors = array('errors', false);
  for (const [key, list] of [['output_lens', outputs], ['start_times', starts], ['errors', errors]] as const) {
    if (list !== undefined && list.length !== inputs.length) throw new TraceError({ file, field: key, value: list.length, expected: `${inputs.length} entries, one per input_lens entry` });
  }
  const dropped: Record<string, number> = {};
  const rows: RawRow[] = [];
  inputs.forEach((input, entry) => {
    const where = { file, entry };
    const error = errors?.[entry];
    if (typeof error === 'string' && error !== '') return void countDrop(dropped, 'failed_request');
    const row: RawRow = { prompt_tokens: parseTokens(input, where, 'input_lens'), output_tokens: parseTokens(outputs[entry], where, 'output_lens'), line: 0, entry };
    rows.push(starts === undefined ? row : { ...row, time_s: parseTime(starts[entry], where, 'start_times', 'seconds') });
  });
  return { rows, dropped };
}
