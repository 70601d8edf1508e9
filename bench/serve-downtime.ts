// Migration downtime against sequence length on the real backend (Llumnix Fig. 10): one
// request of L tokens decodes on a source instance process and moves to a destination
// process, three ways, all built from the backend's own pieces:
//   live          — Llumnix's protocol (MigrateOut, stages of 3, last stage at ≤ 16 blocks):
//                   full blocks are copied while the request keeps decoding; only the last
//                   few blocks are copied while it is suspended.
//   live, ≤ 1     — the same with up to 8 stages and a last stage of at most 1 block: how
//                   flat the downtime gets when the stages may shrink further.
//   stop-and-copy — the same RPC with last_stage_max_blocks = ∞: the request is suspended at
//                   once and every block is copied while it waits.
//   snapshot      — live with the snapshot last stage (last_stage_mode 'snapshot'): the
//                   request is never suspended; a snapshot is copied and committed while it
//                   keeps decoding, the destination catches up from the tokens the source
//                   streams to it, and the client switches once it has (follow-stream.ts),
//                   then stops the source. Its extra compute: the tokens decoded on both sides.
//   recompute     — the request is aborted on the source and generated again on the
//                   destination from its tokens (`resume_output_token_ids`, the failover
//                   path): the destination prefills prompt + output before the next token.
// Downtime is what the client sees: the longest gap between two tokens of the stream (the
// migration's), beside the median gap (one decode step). For live and stop-and-copy the
// source's own suspend→commit time is given too, and live migration's last stage is broken
// down phase by phase (source: suspend wait, PreAlloc, connect, copy, COMMIT; destination:
// commit → its first token; client: that token's delivery, marker → first destination token
// received, switch to the destination → that token received). The client follows the stream
// with the fleet manager's own loop (follow-stream.ts): attached ahead to the destination once
// the source announces the migration, switched there once the COMMIT landed and every token
// of the source arrived.
import { setMaxListeners } from 'node:events';
import { median } from 'simple-statistics';
import type { GenerationDelta, GenerationRequest } from '../backend/engine/types.ts';
import type { InstanceProcess } from '../backend/manager/instance-process.ts';
import type { InstanceClient } from '../backend/rpc/instance-client.ts';
import type { LastStageMode, LastStageTimes } from '../backend/rpc/messages.ts';
import { followStream } from '../backend/manager/follow-stream.ts';
import { UNIX_ORIGIN_MS } from '../backend/rpc/machine-clock.ts';

export interface DowntimeRow {
  readonly length_tokens: number;
  readonly blocks: number;
  /** Other requests decoding on the source during every move of this length. */
  readonly source_requests: number;
  readonly step_ms: number;
  readonly live_ms: number;
  readonly live_source_ms: number;
  /**
   * Llumnix's downtime (its plot.py: the last stage begins → the destination's migrate_in):
   * the request out of the source's batch at a step boundary → its COMMIT acknowledged
   * (PreAlloc, connect, copy and COMMIT while suspended; median of the per-move sums).
   */
  readonly live_suspended_ms: number;
  readonly live_stages: number;
  readonly live_fine_ms: number;
  readonly live_fine_stages: number;
  readonly stop_copy_ms: number;
  readonly stop_copy_source_ms: number;
  readonly recompute_ms: number;
  /**
   * The gap at the move itself: the last token from the source → the first from the
   * destination (medians). The longest gap (the columns above) may lie elsewhere in the
   * stream on a loaded machine (a stage's copy, a descheduled process).
   */
  readonly live_switch_ms: number;
  readonly live_fine_switch_ms: number;
  readonly stop_copy_switch_ms: number;
  readonly recompute_switch_ms: number;
  /** Snapshot last stage: the gap at the move and the longest gap (medians, as above). */
  readonly snapshot_switch_ms: number;
  readonly snapshot_ms: number;
  readonly snapshot: SnapshotCosts;
  /** Live migration's last stage, phase by phase (medians). */
  readonly live_phases: LivePhases;
}

/** What the snapshot last stage costs beside the gap (medians over the repeats). */
export interface SnapshotCosts {
  /** Output tokens between the snapshot and the client's switch: computed on both sides (the destination decoded them or computed them in a catch-up chunk). */
  readonly both_tokens: number;
  /** Output tokens the source decoded after the client switched, until its stop arrived (wasted). */
  readonly source_after_switch_tokens: number;
  /** The snapshot taken → the client switched (ms): how long both sides ran the request. */
  readonly catch_up_ms: number;
  /** Snapshot → its COMMIT acknowledged at the source (ms; the copy of the blocks not sent ahead, hidden from the client). */
  readonly commit_ms: number;
  /** The destination's lag at the switch: the client's last token from the source, produced there − produced on the source (ms; negative: the destination was ahead). */
  readonly lag_ms: number;
}

/** Where a live migration's stall goes (ms, medians over the repeats). */
export interface LivePhases {
  /** Source: suspend asked → the request out of the batch (the step in flight ends). */
  readonly suspend_wait_ms: number;
  /** Source, while suspended: PreAlloc and opening a KV connection (0 once both are done before). */
  readonly prealloc_ms: number;
  readonly connect_ms: number;
  /** Source, while suspended: the last blocks written and acknowledged, then the COMMIT acknowledged. */
  readonly copy_ms: number;
  readonly commit_ms: number;
  /** Out of the source's batch → the destination's first token produced (Llumnix's downtime: suspended until running again, plus that step). */
  readonly resume_ms: number;
  /** Client: switched to the destination's stream (follow-stream.ts) → its first token received. */
  readonly attach_ms: number;
  /** The COMMIT acknowledged at the source → the destination's first token produced (its first step, and the acknowledgement's way back). */
  readonly commit_to_token_ms: number;
  /** The destination's first token produced → received by the client (its Outputs stream). */
  readonly delivery_ms: number;
  /** Source, before suspending: PreAlloc of the last stage's blocks, and taking a KV connection. */
  readonly prealloc_ahead_ms: number;
  readonly connect_ahead_ms: number;
  /** Blocks copied while suspended; the last stage's full blocks copied before suspending, and how long that took. */
  readonly blocks: number;
  readonly blocks_ahead: number;
  readonly copy_ahead_ms: number;
  /** Migrations whose KV connection was reused from an earlier one, of all. */
  readonly reused: number;
  readonly count: number;
}

export interface Endpoint {
  readonly process: InstanceProcess;
  readonly client: InstanceClient;
}

/** Tokens after the move that are still read before the request is cancelled (enough to see the gap close). */
const TOKENS_AFTER = 6;
/** Tokens decoded on the source before it moves (the gap before it is one decode step). */
const TOKENS_BEFORE = 8;

interface Timed {
  readonly gaps_ms: number[];
  /** The gap between the last token from the source and the first from the destination (ms). */
  readonly switch_gap_ms: number;
  readonly source_ms: number;
  readonly stages: number;
  readonly last_stage?: LastStageTimes | null | undefined;
  /** Destination's first token produced − the request out of the source's batch (ms; both processes read the same clock). */
  readonly resume_ms?: number;
  /** Client: switched to the destination's stream → its first token received (ms). */
  readonly attach_ms?: number;
  /** COMMIT acknowledged at the source → destination's first token produced (ms). */
  readonly commit_to_token_ms?: number;
  /** Destination's first token produced → received by the client (ms). */
  readonly delivery_ms?: number;
  /** Snapshot last stage: tokens the source decoded after its snapshot; the client's tokens at the switch less the snapshot's; snapshot → switch (ms). */
  readonly catch_up_tokens?: number;
  readonly both_tokens?: number;
  readonly catch_up_ms?: number;
  /** The last token the client had from the source at the switch: produced on the destination − on the source (ms). */
  readonly lag_ms?: number;
}

function lagAt(src: ReadonlyMap<number, number>, dst: ReadonlyMap<number, number>, i: number): number {
  const s = src.get(i);
  const d = dst.get(i);
  return s === undefined || d === undefined ? Number.NaN : d - s;
}

/** Who else decodes on the source while a request of `length` tokens moves. */
export type SourceLoad = (length: number) => { readonly requests: number; readonly length: number };

function request(id: string, length: number, seed: number, maxModelLen: number): GenerationRequest {
  const prompt = Array.from({ length }, (_, j) => (j * 131 + seed * 17 + 1) % 1000);
  // As many tokens as the context allows: on a loaded machine a migration may take hundreds of steps.
  return { request_id: id, prompt_token_ids: prompt, sampling: { max_tokens: maxModelLen - 8 - length, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: true } };
}

/** Reads token deltas, noting when each arrived, until `stopAt` tokens or the stream ends. */
async function read(stream: AsyncIterable<GenerationDelta>, times: number[], produced: number[], stopAt: number, controller: AbortController): Promise<void> {
  for await (const d of stream) {
    if (d.token_ids.length > 0) {
      times.push(performance.now());
      produced.push(...d.token_ids);
    }
    if (produced.length >= stopAt) {
      controller.abort();
      return;
    }
  }
}

const gapsOf = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

type Kind = 'live' | 'live-fine' | 'stop-and-copy' | 'snapshot' | 'recompute';
const LAST_STAGE: Record<Exclude<Kind, 'recompute'>, { max_stages: number; last_stage_max_blocks: number; last_stage_mode?: LastStageMode }> = {
  'live': { max_stages: 3, last_stage_max_blocks: 16 },
  'snapshot': { max_stages: 3, last_stage_max_blocks: 16, last_stage_mode: 'snapshot' },
  'live-fine': { max_stages: 8, last_stage_max_blocks: 1 },
  'stop-and-copy': { max_stages: 1, last_stage_max_blocks: 1_000_000 },
};

/**
 * Moves `req` with `busy.requests` other requests of `busy.length` tokens decoding on the
 * source (started first, so that the LCFS selector picks `req`; ended after): the source's
 * steps are longer than the destination's, as when a policy moves a request off a loaded instance.
 */
async function moveOnce(kind: Kind, src: Endpoint, dst: Endpoint, req: GenerationRequest, busy: ReturnType<SourceLoad>, maxModelLen: number): Promise<Timed> {
  if (busy.requests === 0) return moveAlone(kind, src, dst, req);
  const stop = new AbortController();
  setMaxListeners(busy.requests + 8, stop.signal);
  const started: Promise<void>[] = [];
  const runs = Array.from({ length: busy.requests }, (_, i) => {
    let first!: () => void;
    started.push(new Promise<void>((r) => (first = r)));
    return (async () => {
      for await (const d of src.client.generate(request(`${req.request_id}-busy${i}`, busy.length, i, maxModelLen), stop.signal)) if (d.token_ids.length > 0) first();
    })().catch(() => undefined);
  });
  await Promise.all(started);
  try {
    return await moveAlone(kind, src, dst, req);
  } finally {
    stop.abort();
    await Promise.all(runs);
  }
}

async function moveAlone(kind: Kind, src: Endpoint, dst: Endpoint, req: GenerationRequest): Promise<Timed> {
  const times: number[] = [];
  const produced: number[] = [];
  const first = new AbortController();
  if (kind === 'recompute') {
    // Aborted on the source after TOKENS_BEFORE tokens, then generated again on the destination from them.
    await read(src.client.generate(req, first.signal), times, produced, TOKENS_BEFORE, first);
    const again = new AbortController();
    await read(dst.client.generate({ ...req, resume_output_token_ids: [...produced] }, again.signal), times, produced, TOKENS_BEFORE + TOKENS_AFTER, again);
    return { gaps_ms: gapsOf(times), switch_gap_ms: times[TOKENS_BEFORE]! - times[TOKENS_BEFORE - 1]!, source_ms: Number.NaN, stages: 0 };
  }
  // The client follows the request as the fleet manager does (follow-stream.ts): attached
  // ahead when the source announces the migration, switched to the destination once the
  // COMMIT landed there and every source token arrived (or at the source's marker).
  const after = new AbortController();
  const dstAddress = `${dst.process.host}:${dst.process.port}`;
  let movedAt: number | undefined;
  let before: number | undefined;
  /** Output tokens the client had at the switch, and the destination's `resumes_at` (snapshot: where it resumed from). */
  let tokensAtMove: number | undefined;
  let resumesAt: number | undefined;
  // When each output token was produced on the source and on the destination (index → Unix ms): the destination's lag.
  const srcAt = new Map<number, number>();
  const dstAt = new Map<number, number>();
  const stamped = async function* (stream: AsyncIterable<GenerationDelta>, at: Map<number, number>, from: number): AsyncIterable<GenerationDelta> {
    let i = from;
    for await (const d of stream) {
      if (d.resumes_at !== undefined) i = d.resumes_at;
      for (const _ of d.token_ids) if (d.produced_unix_ms !== undefined) at.set(i++, d.produced_unix_ms);
      yield d;
    }
  };
  const follow = followStream(req, { instance: src, stream: stamped(src.client.generate(req, first.signal), srcAt, 0) }, {
    died: async () => false,
    resume: () => {
      throw new Error(`bench: ${req.request_id} lost its instance`);
    },
    moved: (address, _from, ahead) => {
      if (address !== dstAddress) throw new Error(`bench: ${req.request_id} moved to ${address}, expected ${dstAddress}`);
      movedAt = performance.now();
      before = times.length;
      tokensAtMove = produced.length;
      return { instance: dst, stream: ahead ?? dst.client.attach(req.request_id, after.signal) };
    },
    attachAhead: (address, _from, signal) => {
      if (address !== dstAddress) throw new Error(`bench: ${req.request_id} announced ${address}, expected ${dstAddress}`);
      return (async function* () {
        for await (const d of stamped(dst.client.attach(req.request_id, signal), dstAt, 0)) {
          if (d.resumes_at !== undefined) resumesAt = d.resumes_at;
          yield d;
        }
      })();
    },
    // Snapshot last stage: the client switched while the source still decodes the request.
    leave: (from) => void from.client.abort(req.request_id).catch(() => undefined),
    // `after` ends the request on the destination once its tokens were read (the attachment
    // ahead listens to it too).
  }, after.signal);
  const firstProduced: number[] = [];
  const streamed = (async () => {
    for await (const d of follow) {
      if (d.token_ids.length === 0) continue;
      times.push(performance.now());
      produced.push(...d.token_ids);
      if (before !== undefined && firstProduced.length === 0 && d.produced_unix_ms !== undefined) firstProduced.push(d.produced_unix_ms);
      if (before !== undefined && times.length >= before + TOKENS_AFTER) break;
    }
  })();
  // Migrate once a few tokens are out.
  while (produced.length < TOKENS_BEFORE) await new Promise((r) => setTimeout(r, 1));
  const ask = () => src.client.migrateOut({
    dst_address: dstAddress, dst_kv_host: dst.process.host, dst_kv_port: dst.process.kv_port,
    selector_json: JSON.stringify({ kind: 'LCFS' }), draining: false, ...LAST_STAGE[kind],
  });
  // On a loaded machine stages may not shrink fast enough (too many stages): the request keeps
  // decoding on the source, so asking again does not disturb what is measured.
  let reply = await ask();
  for (let retry = 0; retry < 4 && reply.outcome === 'aborted-max-stages'; retry++) reply = await ask();
  if (reply.outcome !== 'committed') {
    first.abort();
    await streamed.catch(() => undefined);
    throw new Error(`${kind} migration of ${req.request_id} did not commit: ${reply.outcome} ${reply.detail}`);
  }
  await streamed;
  after.abort();
  first.abort();
  const suspended = reply.last_stage?.suspended_unix_ms;
  const committed = reply.last_stage?.committed_unix_ms;
  const dstToken = firstProduced[0];
  const receivedAt = before === undefined ? undefined : times[before];
  return {
    gaps_ms: gapsOf(times), source_ms: reply.downtime_ms, stages: reply.stages, last_stage: reply.last_stage,
    switch_gap_ms: before === undefined || before === 0 || times[before] === undefined ? Number.NaN : times[before]! - times[before - 1]!,
    resume_ms: suspended === undefined || dstToken === undefined ? Number.NaN : dstToken - suspended,
    attach_ms: receivedAt === undefined || movedAt === undefined ? Number.NaN : receivedAt - movedAt,
    commit_to_token_ms: committed === undefined || dstToken === undefined ? Number.NaN : dstToken - committed,
    delivery_ms: dstToken === undefined || receivedAt === undefined ? Number.NaN : UNIX_ORIGIN_MS + receivedAt - dstToken,
    ...(reply.catch_up_tokens === undefined || kind !== 'snapshot' ? {} : {
      catch_up_tokens: reply.catch_up_tokens,
      both_tokens: tokensAtMove === undefined || resumesAt === undefined ? Number.NaN : tokensAtMove - resumesAt,
      catch_up_ms: movedAt === undefined || suspended === undefined ? Number.NaN : UNIX_ORIGIN_MS + movedAt - suspended,
      lag_ms: lagAt(srcAt, dstAt, (tokensAtMove ?? 0) - 1),
    }),
  };
}

function phases(ts: readonly Timed[]): LivePhases {
  const med = (f: (t: Timed) => number | undefined): number => {
    const xs = ts.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length === 0 ? Number.NaN : median(xs);
  };
  return {
    suspend_wait_ms: med((t) => t.last_stage?.suspend_wait_ms), prealloc_ms: med((t) => t.last_stage?.prealloc_ms), connect_ms: med((t) => t.last_stage?.connect_ms),
    copy_ms: med((t) => t.last_stage?.copy_ms), commit_ms: med((t) => t.last_stage?.commit_ms), resume_ms: med((t) => t.resume_ms), attach_ms: med((t) => t.attach_ms),
    commit_to_token_ms: med((t) => t.commit_to_token_ms), delivery_ms: med((t) => t.delivery_ms),
    prealloc_ahead_ms: med((t) => t.last_stage?.prealloc_ahead_ms), connect_ahead_ms: med((t) => t.last_stage?.connect_ahead_ms),
    blocks: med((t) => t.last_stage?.blocks), blocks_ahead: med((t) => t.last_stage?.blocks_ahead), copy_ahead_ms: med((t) => t.last_stage?.copy_ahead_ms),
    reused: ts.filter((t) => t.last_stage?.connection_reused === true).length, count: ts.length,
  };
}

function snapshotCosts(ts: readonly Timed[]): SnapshotCosts {
  const med = (f: (t: Timed) => number | undefined): number => {
    const xs = ts.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length === 0 ? Number.NaN : median(xs);
  };
  return {
    both_tokens: med((t) => t.both_tokens),
    source_after_switch_tokens: med((t) => (t.catch_up_tokens === undefined || t.both_tokens === undefined ? undefined : t.catch_up_tokens - t.both_tokens)),
    catch_up_ms: med((t) => t.catch_up_ms),
    lag_ms: med((t) => t.lag_ms),
    commit_ms: med((t) => (t.last_stage === undefined || t.last_stage === null ? undefined : t.last_stage.copy_ms + t.last_stage.commit_ms)),
  };
}

/** Request ids stay unique across calls (an instance keys migrations by request id). */
let n = 0;

const NO_LOAD: SourceLoad = () => ({ requests: 0, length: 0 });

/** Median over `repeats` of each way to move a request, at every length; alternates the direction so no instance fills up. */
export async function downtimeTable(a: Endpoint, b: Endpoint, lengths: readonly number[], repeats: number, block_size: number, load: SourceLoad = NO_LOAD, progress?: (done: string) => void): Promise<DowntimeRow[]> {
  const maxModelLen = Math.min(a.process.max_model_len, b.process.max_model_len);
  const tooLong = lengths.find((l) => l + 8 + TOKENS_BEFORE + TOKENS_AFTER > maxModelLen);
  if (tooLong !== undefined) throw new Error(`length ${tooLong}: a request of it cannot decode ${TOKENS_BEFORE + TOKENS_AFTER} tokens within the model's context (${maxModelLen})`);
  const rows: DowntimeRow[] = [];
  for (const length of lengths) {
    const busy = load(length);
    const m: Record<Kind, Timed[]> = { 'live': [], 'live-fine': [], 'stop-and-copy': [], 'snapshot': [], 'recompute': [] };
    for (let r = 0; r < repeats; r++) {
      for (const kind of ['live', 'snapshot', 'live-fine', 'stop-and-copy', 'recompute'] as const) {
        const [src, dst] = n % 2 === 0 ? [a, b] : [b, a];
        m[kind].push(await moveOnce(kind, src, dst, request(`dt${n}`, length, n, maxModelLen), busy, maxModelLen));
        n++;
        progress?.(`${kind} of ${length} tokens, repeat ${r + 1} of ${repeats}`);
      }
    }
    const stall = (ts: Timed[]): number => median(ts.map((t) => Math.max(...t.gaps_ms)));
    const atSwitch = (ts: Timed[]): number => median(ts.map((t) => t.switch_gap_ms).filter(Number.isFinite));
    const step = median(Object.values(m).flat().map((t) => median(t.gaps_ms)));
    rows.push({
      length_tokens: length, blocks: Math.ceil(length / block_size), source_requests: busy.requests, step_ms: step,
      live_ms: stall(m.live), live_source_ms: median(m.live.map((t) => t.source_ms)),
      live_suspended_ms: median(m.live.map((t) => (t.last_stage ? t.last_stage.prealloc_ms + t.last_stage.connect_ms + t.last_stage.copy_ms + t.last_stage.commit_ms : Number.NaN)).filter(Number.isFinite)),
      live_stages: Math.max(...m.live.map((t) => t.stages)),
      live_fine_ms: stall(m['live-fine']), live_fine_stages: Math.max(...m['live-fine'].map((t) => t.stages)),
      stop_copy_ms: stall(m['stop-and-copy']), stop_copy_source_ms: median(m['stop-and-copy'].map((t) => t.source_ms)),
      recompute_ms: stall(m.recompute),
      live_switch_ms: atSwitch(m.live), live_fine_switch_ms: atSwitch(m['live-fine']), stop_copy_switch_ms: atSwitch(m['stop-and-copy']), recompute_switch_ms: atSwitch(m.recompute),
      snapshot_switch_ms: atSwitch(m.snapshot), snapshot_ms: stall(m.snapshot), snapshot: snapshotCosts(m.snapshot),
      live_phases: phases(m.live),
    });
  }
  return rows;
}
