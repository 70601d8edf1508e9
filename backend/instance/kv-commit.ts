// The COMMIT a migration's source sends behind its last KV blocks, on the same connection: the
// request's migratable state and how many of the blocks reserved for it hold its KV (the
// reservation may be larger: the last stage's blocks are reserved, with slack, before the
// request is suspended; the rest is freed on commit). A few kilobytes of JSON (tokens,
// sampling and output state); parsed only after every block before it was written.
import type { MigratedState } from '../engine/migrated-state.ts';

export interface KvCommit {
  readonly state: MigratedState;
  /** The first `blocks` reserved blocks, in reservation order, hold the request's KV. */
  readonly blocks: number;
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
