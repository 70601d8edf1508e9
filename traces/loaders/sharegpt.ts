import { TraceError } from '../errors.ts';
import { parseTokens, type Where } from './fields.ts';
import { countDrop, type Parsed, type RawRow } from './pipeline.ts';

export interface ShareGptOptions {
  /** ceil(characters / chars_per_token) estimates a turn's tokens. */
  readonly chars_per_token: number;
}

/**
 * ShareGPT conversations: a JSON array (vLLM's `ShareGPT_V3_*.json`) or JSON lines (Llumnix's
 * `sharegpt_gpt4.jsonl`) of `{conversations: [{from, value}, ...]}`. Turn 0 is the prompt and
 * turn 1 the output, as vLLM and Llumnix do. There is no tokenizer in this project, so token
 * counts are estimated as ceil(UTF-16 length / chars_per_token) (≈ 4 characters per token for
 * English with Llama/GPT tokenizers; code and CJK text differ). Entries that carry precomputed
 * `prompt_tokens` and `output_tokens` numbers use those instead. Entries with fewer than two
 * turns are dropped and counted (`too_few_turns`). There are no timestamps.
 */
export function parseShareGpt(text: string, file: string, opts: ShareGptOptions): Parsed {
  const entries = splitEntries(text, file);
  const dropped: Record<string, number> = {};
  const rows: RawRow[] = [];
  for (const { value, where } of entries) {
    // max_total_tokens (drop, counted as over_max_total_tokens) is applied with the common options.
    const row = toRow(value, where, opts, dropped);
    if (row !== undefined) rows.push(row);
  }
  return { rows, dropped };
}

interface Entry {
  readonly value: unknown;
  readonly where: Where & { readonly line: number };
}

function splitEntries(text: string, file: string): Entry[] {
  if (text.trimStart().startsWith('[')) {
    let array: unknown[];
    try {
      array = JSON.parse(text) as unknown[];
    } catch (cause) {
      throw new TraceError({ file, expected: `a JSON array (${(cause as Error).message})` }, { cause });
    }
    // A JSON array has no per-entry line numbers worth computing; errors name the entry index.
    return array.map((value, entry) => ({ value, where: { file, entry, line: 0 } }));
  }
  const out: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.push({ value: JSON.parse(raw), where: { file, line: i + 1 } });
    } catch (cause) {
      throw new TraceError({ file, line: i + 1, value: raw.trim(), expected: 'one JSON object per line' }, { cause });
    }
  });
  return out;
}

function whereOf(where: Entry['where']): Where {
  return where.entry === undefined ? { file: where.file, line: where.line } : { file: where.file, entry: where.entry };
}

function toRow(value: unknown, where: Entry['where'], opts: ShareGptOptions, dropped: Record<string, number>): RawRow | undefined {
  const at = whereOf(where);
  const base = where.entry === undefined ? { line: where.line } : { line: 0, entry: where.entry };
  if (typeof value !== 'object' || value === null) throw new TraceError({ ...at, value, expected: 'an object with "conversations"' });
  const rec = value as Record<string, unknown>;
  if (rec['prompt_tokens'] !== undefined || rec['output_tokens'] !== undefined) {
    return {
      prompt_tokens: parseTokens(rec['prompt_tokens'], at, 'prompt_tokens'),
      output_tokens: parseTokens(rec['output_tokens'], at, 'output_tokens'),
      ...base,
    };
  }
  const turns = rec['conversations'];
  if (!Array.isArray(turns)) throw new TraceError({ ...at, field: 'conversations', value: turns, expected: 'an array of {from, value} turns' });
  if (turns.length < 2) {
    countDrop(dropped, 'too_few_turns');
    return undefined;
  }
  const text = (i: number): string => {
    const turn = turns[i] as Record<string, unknown> | null | undefined;
    const v = turn?.['value'];
    if (typeof v !== 'string') throw new TraceError({ ...at, field: `conversations[${i}].value`, value: v, expected: 'a string' });
    return v;
  };
  const estimate = (s: string): number => Math.ceil(s.length / opts.chars_per_token);
  return { prompt_tokens: estimate(text(0)), output_tokens: estimate(text(1)), ...base };
}
