// The COMMIT a migration's source sends behind its last KV blocks, on the same connection: the
// request's migratable state and how many of the blocks reserved for it hold its KV (the
// reservation may be larger: the last stage's blocks are reserved, with slack, before the
// request is suspended; the rest is freed on commit). A few kilobytes of JSON (tokens,
// sampling and output state); parsed only after every block before it was written.
// The snapshot last stage sends more on that connection after its COMMIT: the output tokens
// the source produced since (KvCatchUp), in order, until the manager stops it.
import type { MigratedState } from '../engine/migrated-state.ts';

export interface KvCommit {
  readonly state: MigratedState;
  /** The first `blocks` reserved blocks, in reservation order, hold the request's KV. */
  readonly blocks: number;
  /** A snapshot: the source keeps decoding and sends what it produces since (KvCatchUp). */
  readonly source_continues?: boolean;
}

/** Output tokens the source produced after a snapshot COMMIT; `from` is the first one's output index. */
export interface KvCatchUp {
  readonly catch_up: { readonly request_id: string; readonly from: number; readonly token_ids: readonly number[] };
}

export function encodeKvCatchUp(c: KvCatchUp['catch_up']): Buffer {
  return Buffer.from(JSON.stringify({ catch_up: c }));
}

/** A catch-up message, or undefined when `payload` is a COMMIT. */
export function decodeKvCatchUp(payload: Buffer): KvCatchUp['catch_up'] | undefined {
  // A COMMIT's JSON starts with its state; only catch-ups start with this key.
  if (!payload.subarray(0, 12).toString('utf8').startsWith('{"catch_up"')) return undefined;
  const c = (JSON.parse(payload.toString('utf8')) as KvCatchUp).catch_up;
  if (typeof c?.request_id !== 'string' || !Number.isInteger(c.from) || c.from < 0 || !Array.isArray(c.token_ids) || !c.token_ids.every((t) => Number.isInteger(t) && t >= 0)) {
    throw new Error(`catch-up payload: ${payload.subarray(0, 200).toString('utf8')}; expected {"catch_up": {"request_id": string, "from": n >= 0, "token_ids": [n >= 0, ...]}}`);
  }
  return c;
}

export function encodeKvCommit(c: KvCommit): Buffer {
  return Buffer.from(JSON.stringify(c));
}

export function decodeKvCommit(payload: Buffer): KvCommit {
  let c: unknown;
  try {
    c = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new Error(`COMMIT payload is not JSON (${payload.length} bytes): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const o = c as Partial<KvCommit> | null;
  if (o === null || typeof o !== 'object' || typeof o.state?.request_id !== 'string') throw new Error('COMMIT payload: state.request_id is missing; expected {"state": MigratedState, "blocks": n}');
  if (!Number.isInteger(o.blocks) || o.blocks! < 0) throw new Error(`COMMIT payload for ${o.state.request_id}: blocks = ${JSON.stringify(o.blocks)}; expected a non-negative integer`);
  return o as KvCommit;
}
