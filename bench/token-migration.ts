// Token-based live migration (ServerlessLLM §6) against sequence length, on two tiny instance
// processes of this machine, beside KV (block) live migration of the same request:
//   tokens — backend/serverless/token-migration.ts as the serverless manager runs it: rounds of
//            "send the tokens so far, the destination recomputes their KV into its prefix cache"
//            while the source keeps decoding, until ≤ --delta new tokens, then the hand-over.
//            Per length: the rounds, tokens recomputed in each round, the whole migration's
//            time, and the hand-over downtime (the source's suspend → commit) beside the stall
//            the client saw (the longest gap between two tokens of its stream).
//   kv     — Llumnix's live migration (MigrateOut: stages of KV blocks copied while decoding,
//            the last ≤ 16 blocks while suspended): stages, total time, downtime, stall.
// A request of L prompt tokens decodes on the source; once 8 tokens are out it moves, and 6
// tokens are read on the destination before it is cancelled. Directions alternate so neither
// instance fills. Nothing here is asserted: every figure moves with the machine's load, which
// is printed and written beside them.
//   npm run bench:token-migration -- [--lengths 128,256,512,1024,1536] [--repeats 1] [--delta 20]
//                                    [--max-rounds 8] [--model tiny] [--kv true] [--out results/token-migration]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import type { GenerationDelta, GenerationRequest } from '../backend/engine/types.ts';
import { startInstanceProcess, type InstanceProcess } from '../backend/manager/instance-process.ts';
import { InstanceClient } from '../backend/rpc/instance-client.ts';
import { migrateByTokens, type TokenMigrationEvent } from '../backend/serverless/token-migration.ts';

const { values: a } = parseArgs({ options: {
  lengths: { type: 'string', default: '128,256,512,1024,1536' }, repeats: { type: 'string', default: '1' },
  delta: { type: 'string', default: '20' }, 'max-rounds': { type: 'string', default: '8' }, model: { type: 'string', default: 'tiny' },
  kv: { type: 'string', default: 'true' }, out: { type: 'string', default: 'results/token-migration' },
} });
const lengths = a.lengths.split(',').map(Number);
const repeats = Number(a.repeats);
const delta = Number(a.delta);
const maxRounds = Number(a['max-rounds']);
const withKv = a.kv === 'true';
if (lengths.some((l) => !Number.isInteger(l) || l < 1 || l > 1800)) throw new Error(`--lengths = ${a.lengths}; expected integers in 1..1800 (the tiny models' context is 2048; the request decodes past its prompt)`);
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats = ${a.repeats}; expected an integer >= 1`);
if (!Number.isInteger(delta) || delta < 0) throw new Error(`--delta = ${a.delta}; expected an integer >= 0`);
if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new Error(`--max-rounds = ${a['max-rounds']}; expected an integer >= 1`);
if (!['true', 'false'].includes(a.kv)) throw new Error(`--kv = ${a.kv}; expected true or false`);

const TOKENS_BEFORE = 8;
const TOKENS_AFTER = 6;
const CONTEXT = 2048;
const load = (): number[] => os.loadavg().map((x) => Number(x.toFixed(1)));

interface Peer {
  readonly process: InstanceProcess;
  readonly client: InstanceClient;
}

interface TokenRun {
  readonly outcome: string;
  readonly rounds: number;
  /** Tokens sent in each round, and of them recomputed (not found in the destination's prefix cache). */
  readonly sent_per_round: number[];
  readonly recomputed_per_round: number[];
  readonly recompute_ms_per_round: number[];
  readonly remaining_at_handover: number;
  readonly total_ms: number;
  readonly downtime_ms: number;
  readonly stall_ms: number;
  readonly step_ms: number;
}

interface KvRun {
  readonly outcome: string;
  readonly stages: number;
  readonly blocks: number;
  readonly total_ms: number;
  readonly downtime_ms: number;
  readonly stall_ms: number;
}

let n = 0;

function request(length: number): GenerationRequest {
  const id = n++;
  const prompt = Array.from({ length }, (_, j) => (j * 131 + id * 17 + 1) % 1000);
  const max_tokens = Math.min(1000, CONTEXT - length - 1);
  return { request_id: `tm${id}`, prompt_token_ids: prompt, sampling: { max_tokens, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: true } };
}

/** Reads the stream, noting each token's arrival, until `stopAt` tokens (then cancels) or a migration marker. */
async function read(stream: AsyncIterable<GenerationDelta>, times: number[], produced: number[], stopAt: number, controller: AbortController): Promise<string | undefined> {
  for await (const d of stream) {
    if (d.migrated_to !== undefined) return d.migrated_to;
    if (d.token_ids.length > 0) {
      times.push(performance.now());
      produced.push(...d.token_ids);
    }
    if (produced.length >= stopAt) {
      controller.abort();
      return undefined;
    }
  }
  return undefined;
}

const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

/** Starts `req` on `src` and resolves once TOKENS_BEFORE tokens are out; `streamed` ends at the migration marker. */
async function startDecoding(src: Peer, req: GenerationRequest, times: number[], produced: number[]): Promise<{ streamed: Promise<string | undefined>; cancel: AbortController }> {
  const cancel = new AbortController();
  const streamed = read(src.client.generate(req, cancel.signal), times, produced, Number.POSITIVE_INFINITY, cancel);
  let ended = false;
  void streamed.finally(() => (ended = true)).catch(() => undefined);
  while (produced.length < TOKENS_BEFORE) {
    if (ended) throw new Error(`${req.request_id} ended before ${TOKENS_BEFORE} tokens`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return { streamed, cancel };
}

async function afterMove(dst: Peer, req: GenerationRequest, times: number[], produced: number[]): Promise<void> {
  const after = new AbortController();
  await read(dst.client.attach(req.request_id, after.signal), times, produced, produced.length + TOKENS_AFTER, after);
}

async function byTokens(src: Peer, dst: Peer, length: number): Promise<TokenRun> {
  const req = request(length);
  const times: number[] = [];
  const produced: number[] = [];
  const { streamed, cancel } = await startDecoding(src, req, times, produced);
  const events: TokenMigrationEvent[] = [];
  const result = await migrateByTokens(req.request_id, { source: src.client, destination: dst.client, sourceAlive: async () => true }, { migration_delta: delta, max_rounds: maxRounds }, (e) => events.push(e));
  if (result.outcome === 'committed') {
    await streamed;
    await afterMove(dst, req, times, produced);
  } else {
    cancel.abort();
    await streamed.catch(() => undefined);
  }
  const sent = events.flatMap((e) => (e.kind === 'round' ? [e] : []));
  const done = events.flatMap((e) => (e.kind === 'round-done' ? [e] : []));
  const stop = events.find((e) => e.kind === 'stop');
  const g = gaps(times);
  return {
    outcome: result.outcome, rounds: result.rounds,
    sent_per_round: done.map((d) => sent.find((s) => s.round === d.round)!.tokens),
    recomputed_per_round: done.map((d) => sent.find((s) => s.round === d.round)!.tokens - d.cached_tokens),
    recompute_ms_per_round: done.map((d) => Number(d.recompute_ms.toFixed(1))),
    remaining_at_handover: stop?.kind === 'stop' ? stop.remaining : Number.NaN,
    total_ms: result.total_ms, downtime_ms: result.downtime_ms, stall_ms: Math.max(...g), step_ms: median(g),
  };
}

async function byKv(src: Peer, dst: Peer, length: number): Promise<KvRun> {
  const req = request(length);
  const times: number[] = [];
  const produced: number[] = [];
  const { streamed } = await startDecoding(src, req, times, produced);
  const reply = await src.client.migrateOut({
    dst_address: `${dst.process.host}:${dst.process.port}`, dst_kv_host: dst.process.host, dst_kv_port: dst.process.kv_port,
    selector_json: JSON.stringify({ kind: 'LCFS' }), draining: false, max_stages: 3, last_stage_max_blocks: 16,
  });
  const marker = await streamed;
  if (reply.outcome !== 'committed' || marker === undefined) throw new Error(`KV migration of ${req.request_id} did not commit: ${reply.outcome} ${reply.detail}`);
  await afterMove(dst, req, times, produced);
  return { outcome: reply.outcome, stages: reply.stages, blocks: reply.blocks, total_ms: reply.total_ms, downtime_ms: reply.downtime_ms, stall_ms: Math.max(...gaps(times)) };
}

const engine = { model: a.model, threads: 1, seed: 0 } as const;
const load0 = load();
console.error(`starting two ${a.model} instances (load average ${load0.join(' ')}) …`);
const peers: Peer[] = [];
for (let k = 0; k < 2; k++) {
  const p = await startInstanceProcess(engine);
  peers.push({ process: p, client: new InstanceClient(`${p.host}:${p.port}`) });
}
const [pa, pb] = peers as [Peer, Peer];
const pairFor = (i: number): [Peer, Peer] => (i % 2 === 0 ? [pa, pb] : [pb, pa]);
const rows: { length_tokens: number; tokens: TokenRun[]; kv: KvRun[] }[] = [];
try {
  // Warm-up both ways: the first migration between two processes dials the peer.
  await byTokens(pa, pb, 32);
  await byTokens(pb, pa, 32);
  if (withKv) await byKv(pa, pb, 32);
  let i = 0;
  for (const length of lengths) {
    const row = { length_tokens: length, tokens: [] as TokenRun[], kv: [] as KvRun[] };
    for (let r = 0; r < repeats; r++) {
      row.tokens.push(await byTokens(...pairFor(i++), length));
      if (withKv) row.kv.push(await byKv(...pairFor(i++), length));
    }
    rows.push(row);
    const t = row.tokens.at(-1)!;
    console.error(`${length} tokens: ${t.outcome}, ${t.rounds} round(s) [${t.recomputed_per_round.join(' → ')}] recomputed, total ${t.total_ms.toFixed(0)} ms, hand-over ${t.downtime_ms.toFixed(1)} ms (load ${load().join(' ')})`);
  }
} finally {
  for (const p of peers) p.client.close();
  await Promise.all(peers.map((p) => p.process.stop()));
}

const med = (xs: number[]): number => (xs.length === 0 ? Number.NaN : median(xs));
const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const lines = [
  `Token-based vs KV live migration, ${a.model}, two instance processes on this machine; migration_delta ${delta}, max ${maxRounds} rounds; median of ${repeats} (per-round lists: the last repeat).`,
  `Load average at start ${load0.join(' ')}, at the end ${load().join(' ')} (1, 5, 15 min); ${os.cpus().length} CPUs.`,
  '',
  '| prompt tokens | tokens: rounds | sent per round | recomputed per round | left at hand-over | total ms | hand-over ms | client stall ms | decode step ms | KV: stages | blocks | total ms | downtime ms | client stall ms |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const t = r.tokens.at(-1)!;
    return `| ${r.length_tokens} | ${med(r.tokens.map((x) => x.rounds))} | ${t.sent_per_round.join(' → ')} | ${t.recomputed_per_round.join(' → ')} | ${t.remaining_at_handover} | ${f(med(r.tokens.map((x) => x.total_ms)), 0)} | ${f(med(r.tokens.map((x) => x.downtime_ms)))} | ${f(med(r.tokens.map((x) => x.stall_ms)))} | ${f(med(r.tokens.map((x) => x.step_ms)))} | ${r.kv.length === 0 ? '—' : med(r.kv.map((x) => x.stages))} | ${r.kv.length === 0 ? '—' : med(r.kv.map((x) => x.blocks))} | ${f(med(r.kv.map((x) => x.total_ms)), 0)} | ${f(med(r.kv.map((x) => x.downtime_ms)))} | ${f(med(r.kv.map((x) => x.stall_ms)))} |`;
  }),
];
console.log(lines.join('\n'));
mkdirSync(a.out, { recursive: true });
writeFileSync(path.join(a.out, 'token-migration.md'), `${lines.join('\n')}\n`);
writeFileSync(path.join(a.out, 'token-migration.json'), `${JSON.stringify({ model: a.model, delta, max_rounds: maxRounds, repeats, load_start: load0, load_end: load(), rows }, null, 1)}\n`);
console.error(`written to ${a.out}/token-migration.{md,json}`);
