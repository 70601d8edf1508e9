// An instance's Outputs message (instance.proto OutputBatch): the deltas of one step as packed
// columns, and the conversions from and to the engine's deltas.
import type { FinishReason, GenerationDelta, TokenLogprob } from '../engine/types.ts';

/** One request's delta, or the error that ended the request on the instance. */
export type OutputEntry = { readonly request_id: string; readonly delta: GenerationDelta; readonly error?: undefined } | { readonly request_id: string; readonly delta?: undefined; readonly error: string };

interface TokenLogprobMessage {
  token_id: number;
  logprob: number;
  top: { token_id: number; logprob: number }[];
}

export interface DeltaExtraMessage {
  index: number;
  logprobs: TokenLogprobMessage[];
  finish_reason: string;
  migrated_to: string;
  migrating_to: string;
  /** -1: absent. */
  resumes_at: number;
  source_continues: boolean;
  queue_time_s: number;
  arrived_unix_ms: number;
  error: string;
}

export interface OutputBatchMessage {
  request_ids: string[];
  token_ids: number[];
  token_counts: number[];
  texts: string[];
  produced_unix_ms: number[];
  extras: DeltaExtraMessage[];
}

const FINISH: readonly FinishReason[] = ['stop', 'length', 'abort'];

export function toOutputBatch(entries: readonly OutputEntry[]): OutputBatchMessage {
  const m: OutputBatchMessage = { request_ids: [], token_ids: [], token_counts: [], texts: [], produced_unix_ms: [], extras: [] };
  for (const [index, e] of entries.entries()) {
    m.request_ids.push(e.request_id);
    const d = e.delta;
    if (d === undefined) {
      m.token_counts.push(0);
      m.texts.push('');
      m.produced_unix_ms.push(0);
      m.extras.push({ index, logprobs: [], finish_reason: '', migrated_to: '', migrating_to: '', resumes_at: -1, source_continues: false, queue_time_s: -1, arrived_unix_ms: 0, error: e.error });
      continue;
    }
    for (const t of d.token_ids) m.token_ids.push(t);
    m.token_counts.push(d.token_ids.length);
    m.texts.push(d.text);
    m.produced_unix_ms.push(d.produced_unix_ms ?? 0);
    if (d.logprobs !== undefined || d.finish_reason !== undefined || d.migrated_to !== undefined || d.migrating_to !== undefined || d.resumes_at !== undefined || d.queue_time_s !== undefined || d.arrived_unix_ms !== undefined) {
      m.extras.push({
        index,
        logprobs: (d.logprobs ?? []).map((l) => ({ token_id: l.token_id, logprob: l.logprob, top: [...(l.top ?? [])] })),
        finish_reason: d.finish_reason ?? '', migrated_to: d.migrated_to ?? '', migrating_to: d.migrating_to ?? '', resumes_at: d.resumes_at ?? -1, source_continues: d.source_continues === true, queue_time_s: d.queue_time_s ?? -1,
        arrived_unix_ms: d.arrived_unix_ms ?? 0, error: '',
      });
    }
  }
  return m;
}

/** The batch's entries in order (a malformed batch, columns of different lengths, throws). */
export function fromOutputBatch(m: OutputBatchMessage): OutputEntry[] {
  const n = m.request_ids.length;
  if (m.token_counts.length !== n || m.texts.length !== n || m.produced_unix_ms.length !== n) {
    throw new Error(`malformed OutputBatch: ${n} request_ids but ${m.token_counts.length} token_counts, ${m.texts.length} texts, ${m.produced_unix_ms.length} produced_unix_ms`);
  }
  const extras = new Map(m.extras.map((x) => [x.index, x]));
  const entries: OutputEntry[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const request_id = m.request_ids[i]!;
    const count = m.token_counts[i]!;
    const token_ids = m.token_ids.slice(offset, offset + count);
    offset += count;
    const x = extras.get(i);
    if (x !== undefined && x.error !== '') {
      entries.push({ request_id, error: x.error });
      continue;
    }
    const produced = m.produced_unix_ms[i]!;
    const delta: GenerationDelta = { request_id, token_ids, text: m.texts[i]!, ...(produced > 0 ? { produced_unix_ms: produced } : {}) };
    if (x !== undefined) {
      const finish = FINISH.find((f) => f === x.finish_reason);
      const logprobs: TokenLogprob[] = x.logprobs.map((l) => ({ token_id: l.token_id, logprob: l.logprob, ...(l.top.length > 0 ? { top: l.top } : {}) }));
      Object.assign(delta, {
        ...(logprobs.length > 0 ? { logprobs } : {}),
        ...(finish !== undefined ? { finish_reason: finish } : {}),
        ...(x.migrated_to !== '' ? { migrated_to: x.migrated_to } : {}),
        ...(x.migrating_to !== '' ? { migrating_to: x.migrating_to } : {}),
        ...(x.resumes_at >= 0 ? { resumes_at: x.resumes_at } : {}),
        ...(x.source_continues === true ? { source_continues: true } : {}),
        ...(x.queue_time_s >= 0 ? { queue_time_s: x.queue_time_s } : {}),
        ...(x.arrived_unix_ms > 0 ? { arrived_unix_ms: x.arrived_unix_ms } : {}),
      });
    }
    entries.push({ request_id, delta });
  }
  if (offset !== m.token_ids.length) throw new Error(`malformed OutputBatch: token_counts sum to ${offset} but ${m.token_ids.length} token_ids came`);
  return entries;
}
