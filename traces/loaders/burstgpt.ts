import { forEachCsvRecord } from './csv.ts';
import { parseTime, parseTokens } from './fields.ts';
import { countDrop, type Parsed, type RawRow } from './pipeline.ts';

export interface BurstGptFilter {
  /** Keep only these `Model` values, e.g. ["GPT-4"]. */
  readonly models?: readonly string[] | undefined;
  /** Keep only these `Log Type` values, e.g. ["Conversation log"]. */
  readonly log_types?: readonly string[] | undefined;
}

/**
 * BurstGPT (`Timestamp` s, `Model`, `Request tokens`, `Response tokens`, `Total tokens`,
 * `Log Type`; release 3 adds `Session ID`, `Elapsed time`, ignored here). Failed requests
 * appear as rows with `Response tokens` = 0 (the `*_without_fails` files remove them); they
 * are handled by the common `zero_tokens` policy, dropped and counted by default. `Log Type`
 * only says where the row was logged (conversation UI vs API); it is a filter, not a failure flag.
 * `Total tokens` is not cross-checked.
 */
export function parseBurstGptCsv(text: string, file: string, filter: BurstGptFilter): Parsed {
  const dropped: Record<string, number> = {};
  const models = filter.models ? new Set(filter.models) : undefined;
  const logTypes = filter.log_types ? new Set(filter.log_types) : undefined;
  const rows: RawRow[] = [];
  forEachCsvRecord(text, file, ['Timestamp', 'Model', 'Request tokens', 'Response tokens', 'Log Type'], (rec) => {
    const where = { file, line: rec.line };
    const model = rec.get('Model').trim();
    if (models && !models.has(model)) {
      countDrop(dropped, 'model');
      return;
    }
    if (logTypes && !logTypes.has(rec.get('Log Type').trim())) {
      countDrop(dropped, 'log_type');
      return;
    }
    rows.push({
      time_s: parseTime(rec.get('Timestamp'), where, 'Timestamp', 'seconds'),
      prompt_tokens: parseTokens(rec.get('Request tokens'), where, 'Request tokens'),
      output_tokens: parseTokens(rec.get('Response tokens'), where, 'Response tokens'),
      model,
      line: rec.line,
    });
  });
  return { rows, dropped };
}
