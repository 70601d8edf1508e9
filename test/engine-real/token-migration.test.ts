// Token-based live migration (ServerlessLLM §6) between two real instance processes: rounds
// of "send the tokens so far, recompute their KV" until the delta is small, then the hand-over;
// the output is token-identical to a run without migration (greedy and seeded), and every
// failure of §6.3 leaves the request served.
import test from 'ava';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta, GenerationRequest, SamplingParams } from '../../backend/engine/types.ts';
import { startInstanceProcess, type InstanceProcess } from '../../backend/manager/instance-process.ts';
import { InstanceClient } from '../../backend/rpc/instance-client.ts';
import { migrateByTokens, type TokenMigrationEvent, type TokenMigrationParams, type TokenMigrationResult } from '../../backend/serverless/token-migration.ts';
import { privateModelCache } from './helpers.ts';

privateModelCache('token-migration');

const PROMPT = Array.from({ length: 23 }, (_, j) => (j * 37 + 11) % 900);
const GREEDY = parseSamplingParams({ max_tokens: 700, temperature: 0, ignore_eos: true });
const SEEDED = parseSamplingParams({ max_tokens: 700, temperature: 0.8, top_k: 40, seed: 5, ignore_eos: true });

/** A prompt no other test sends (the shared destination's prefix cache has not seen it). */
const FRESH_PROMPT = PROMPT.map((id) => (id + 101) % 900);
const references = new Map<string, Promise<number[]>>();

/** The request run without migration, in this process (once per sampling and prompt). */
function reference(sampling: SamplingParams, prompt = PROMPT): Promise<number[]> {
  const key = JSON.stringify([sampling, prompt]);
  let r = references.get(key);
  if (r === undefined) references.set(key, (r = runReference(sampling, prompt)));
  return r;
}

async function runReference(sampling: SamplingParams, prompt: readonly number[]): Promise<number[]> {
  const e = await LLMEngine.create({ model: 'tiny' });
  try {
    const ids: number[] = [];
    for await (const d of e.generate({ request_id: 'ref', prompt_token_ids: prompt, sampling })) ids.push(...d.token_ids);
    return ids;
  } finally {
    await e.shutdown();
  }
}

interface Peer {
  readonly process: InstanceProcess;
  readonly client: InstanceClient;
}

async function peer(num_kv_blocks?: number): Promise<Peer> {
  const process = await startInstanceProcess({ model: 'tiny', ...(num_kv_blocks === undefined ? {} : { num_kv_blocks }) });
  return { process, client: new InstanceClient(`${process.host}:${process.port}`) };
}

/** One source and one destination shared by the tests that leave both alive (process starts are the slow part). */
let shared: Promise<[Peer, Peer]> | undefined;
const pair = (): Promise<[Peer, Peer]> => (shared ??= Promise.all([peer(), peer()]));
test.after.always(async () => {
  if (shared !== undefined) await stop(...(await shared));
});

async function stop(...peers: Peer[]): Promise<void> {
  await Promise.all(peers.map(async (p) => {
    p.client.close();
    await p.process.stop();
  }));
}

/**
 * What the manager does for a client: follows the request across `migrated_to` (Attach on the
 * destination) and, when the instance dies, resumes it on `fallback` from the tokens received.
 * `at(n)` runs once when n tokens have arrived.
 */
async function follow(request: GenerationRequest, src: Peer, dst: Peer, at: number, onAt: () => Promise<void>): Promise<{ ids: number[]; finish: string | undefined; hops: string[] }> {
  const ids: number[] = [];
  const hops: string[] = [src.client.address];
  let finish: string | undefined;
  let stream: AsyncIterable<GenerationDelta> = src.client.generate(request);
  let pending: Promise<void> | undefined;
  for (;;) {
    let next: string | undefined;
    try {
      for await (const d of stream) {
        if (d.migrated_to !== undefined) next = d.migrated_to;
        ids.push(...d.token_ids);
        finish = d.finish_reason ?? finish;
        if (ids.length >= at && pending === undefined) pending = onAt();
      }
    } catch {
      // The instance died: resume on the destination from the tokens the client has.
      await pending;
      hops.push(`resumed@${dst.client.address}`);
      stream = dst.client.generate({ ...request, resume_output_token_ids: [...ids] });
      continue;
    }
    if (next === undefined) break;
    hops.push(next);
    stream = (next === dst.client.address ? dst : src).client.attach(request.request_id);
  }
  await pending;
  return { ids, finish, hops };
}

async function migrate(src: Peer, dst: Peer, request_id: string, params: TokenMigrationParams, events: TokenMigrationEvent[]): Promise<TokenMigrationResult> {
  return migrateByTokens(request_id, {
    source: src.client, destination: dst.client,
    sourceAlive: async () => (await Promise.race([src.process.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 500))])),
  }, params, (e) => events.push(e));
}

for (const [name, sampling] of [['greedy', GREEDY], ['seeded sampling', SEEDED]] as const) {
  test.serial(`${name}: rounds until the delta is small, then the hand-over; output identical to a run without migration`, async (t) => {
    const expected = await reference(sampling);
    const [src, dst] = await pair();
    {
      const events: TokenMigrationEvent[] = [];
      let result: TokenMigrationResult | undefined;
      const out = await follow({ request_id: `m-${name}`, prompt_token_ids: PROMPT, sampling }, src, dst, 30, async () => {
        result = await migrate(src, dst, `m-${name}`, { migration_delta: 20, max_rounds: 8 }, events);
      });
      t.is(result?.outcome, 'committed', JSON.stringify(events));
      t.deepEqual(out.hops, [src.client.address, dst.client.address]);
      t.is(out.finish, 'length');
      t.deepEqual(out.ids, expected);
      const rounds = events.filter((e) => e.kind === 'round');
      t.true(rounds.length >= 2, 'round 0 sends everything, a later round finds the delta small');
      t.is(rounds[0]!.delta, rounds[0]!.tokens, 'round 0: every token is new to the destination');
      const last = rounds.at(-1)!;
      t.true(last.delta <= 20 || last.round === 8, `stopped at delta ${last.delta}`);
      const stopAt = events.find((e) => e.kind === 'stop');
      t.is(stopAt?.kind === 'stop' ? stopAt.remaining : -1, last.delta);
    }
  });
}

test.serial('later rounds only recompute what is new (prefix cache); a zero delta runs max_rounds', async (t) => {
  const expected = await reference(GREEDY, FRESH_PROMPT);
  const [src, dst] = await pair();
  {
    const events: TokenMigrationEvent[] = [];
    let result: TokenMigrationResult | undefined;
    const out = await follow({ request_id: 'z', prompt_token_ids: FRESH_PROMPT, sampling: GREEDY }, src, dst, 40, async () => {
      result = await migrate(src, dst, 'z', { migration_delta: 0, max_rounds: 3 }, events);
    });
    t.deepEqual(out.ids, expected);
    if (result?.outcome !== 'committed') return t.fail(JSON.stringify(events));
    const done = events.filter((e): e is TokenMigrationEvent & { kind: 'round-done' } => e.kind === 'round-done');
    t.is(done.length, 3, 'three rounds ran (the delta never reached 0 while the source decodes)');
    t.is(done[0]!.cached_tokens, 0);
    t.true(done.slice(1).every((d) => d.cached_tokens >= 16), `later rounds hit the prefix cache: ${JSON.stringify(done)}`);
    const sent = events.filter((e) => e.kind === 'round').slice(0, 3).reduce((s, e) => s + (e.kind === 'round' ? e.tokens : 0), 0);
    t.true(result.recomputed_tokens < sent, `recomputed ${result.recomputed_tokens} of ${sent} tokens sent`);
  }
});

test.serial('§6.3 destination dead: the migration aborts and the request finishes on its source unchanged', async (t) => {
  const expected = await reference(GREEDY);
  const [[src], dst] = await Promise.all([pair(), peer()]);
  try {
    await dst.process.stop();
    let result: TokenMigrationResult | undefined;
    const out = await follow({ request_id: 'd', prompt_token_ids: PROMPT, sampling: GREEDY }, src, dst, 20, async () => {
      result = await migrate(src, dst, 'd', { migration_delta: 20, max_rounds: 8 }, []);
    });
    t.is(result?.outcome, 'aborted');
    t.deepEqual(out.hops, [src.client.address]);
    t.deepEqual(out.ids, expected);
  } finally {
    await stop(dst);
  }
});

test.serial('§6.3 destination out of memory: the migration aborts and the request finishes on its source unchanged', async (t) => {
  const expected = await reference(SEEDED);
  // 4 blocks of 16 tokens: the destination cannot hold the request's tokens.
  const [[src], dst] = await Promise.all([pair(), peer(4)]);
  try {
    let result: TokenMigrationResult | undefined;
    const out = await follow({ request_id: 'o', prompt_token_ids: PROMPT, sampling: SEEDED }, src, dst, 60, async () => {
      result = await migrate(src, dst, 'o', { migration_delta: 20, max_rounds: 8 }, []);
    });
    t.is(result?.outcome, 'aborted');
    t.regex(result?.detail ?? '', /max_model_len|blocks|tokens/);
    t.deepEqual(out.ids, expected);
  } finally {
    await stop(dst);
  }
});

test.serial('§6.3 source finishes first: nothing to move, the destination is left idle', async (t) => {
  const [src, dst] = await pair();
  {
    const sampling = parseSamplingParams({ max_tokens: 5, temperature: 0, ignore_eos: true });
    const out = await follow({ request_id: 'f', prompt_token_ids: PROMPT, sampling }, src, dst, 1e9, async () => undefined);
    t.is(out.ids.length, 5);
    const events: TokenMigrationEvent[] = [];
    const result = await migrate(src, dst, 'f', { migration_delta: 20, max_rounds: 8 }, events);
    t.is(result.outcome, 'finished-on-source');
    t.deepEqual(events, [{ kind: 'finished-on-source' }]);
  }
});

for (const [name, sampling] of [['greedy', GREEDY], ['seeded sampling', SEEDED]] as const) {
  test.serial(`§6.3 source dies (${name}): the request resumes on the destination from the tokens the client has, unchanged`, async (t) => {
    const expected = await reference(sampling);
    const [[, dst], src] = await Promise.all([pair(), peer()]);
    try {
      let result: TokenMigrationResult | undefined;
      const out = await follow({ request_id: `s-${name}`, prompt_token_ids: PROMPT, sampling }, src, dst, 25, async () => {
        process.kill(src.process.pid, 'SIGKILL');
        await src.process.exited;
        result = await migrate(src, dst, `s-${name}`, { migration_delta: 20, max_rounds: 8 }, []);
      });
      t.is(result?.outcome, 'source-died');
      t.is(out.hops.length, 2);
      t.deepEqual(out.ids, expected);
    } finally {
      await stop(src);
    }
  });
}
