// The short last stage of a live migration: the source keeps one KV connection per destination
// across migrations, reserves the last stage's blocks (with slack) before it suspends the
// request, and sends the COMMIT behind the last blocks on that connection. Checked on three
// instance servers in this process (real gRPC, real KV transfer): reuse, the slack freed on
// commit, a dead destination's connection dropped (the request stays on its source, the next
// destination works), and the destination's watchdog freeing a reservation made ahead. The
// manager's side of the short last stage: the source announces the migration (`migrating_to`)
// once blocks are reserved, an Attach taken then delivers the output from the COMMIT on (its
// first delta says how many tokens the request had: `resumes_at`), and an attachment the
// manager cancelled before the COMMIT ends the request as soon as it commits.
import test from 'ava';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta, GenerationRequest } from '../../backend/engine/types.ts';
import { startInstanceServer, type InstanceServer } from '../../backend/instance/instance-server.ts';
import { IncomingMigrations } from '../../backend/instance/migration-in.ts';
import { migratedState } from '../../backend/engine/migrated-state.ts';
import { decodeKvCommit, encodeKvCommit } from '../../backend/instance/kv-commit.ts';
import { InstanceClient } from '../../backend/rpc/instance-client.ts';
import type { MigrateOutMessage } from '../../backend/rpc/messages.ts';
import { privateModelCache } from './helpers.ts';

privateModelCache('last-stage');

const prompt = (i: number): number[] => Array.from({ length: 40 + 9 * i }, (_, j) => (i * 37 + j * 13 + 3) % 500);
const request = (i: number, max_tokens: number): GenerationRequest => ({
  request_id: `r${i}`, prompt_token_ids: prompt(i), sampling: parseSamplingParams({ max_tokens, temperature: 0, ignore_eos: true }),
});

/** Token ids of a stream; the id it migrated to, if it did. */
async function read(stream: AsyncIterable<GenerationDelta>, out: number[], onToken?: (n: number) => void): Promise<string | undefined> {
  for await (const d of stream) {
    if (d.migrated_to !== undefined) return d.migrated_to;
    out.push(...d.token_ids);
    onToken?.(out.length);
  }
  return undefined;
}

async function reference(reqs: GenerationRequest[]): Promise<number[][]> {
  const e = await LLMEngine.create({ model: 'tiny' });
  try {
    return await Promise.all(reqs.map(async (r) => {
      const out: number[] = [];
      await read(e.generate(r), out);
      return out;
    }));
  } finally {
    await e.shutdown();
  }
}

interface Node {
  engine: LLMEngine;
  server: InstanceServer;
  client: InstanceClient;
}

async function node(): Promise<Node> {
  const engine = await LLMEngine.create({ model: 'tiny' });
  const server = await startInstanceServer(engine, '127.0.0.1', 0);
  return { engine, server, client: new InstanceClient(`127.0.0.1:${server.port}`) };
}

const to = (d: Node): MigrateOutMessage => ({
  dst_address: `127.0.0.1:${d.server.port}`, dst_kv_host: '127.0.0.1', dst_kv_port: d.server.kv_port, selector_json: '{"kind":"LCFS"}',
  draining: false, max_stages: 3, last_stage_max_blocks: 16,
});

/** Starts `req` on `src` and resolves once it has produced `n` tokens; `done` settles when its stream there ends. */
async function decoding(src: Node, req: GenerationRequest, out: number[], n = 3): Promise<{ done: Promise<string | undefined> }> {
  let go!: () => void;
  const started = new Promise<void>((r) => (go = r));
  const done = read(src.client.generate(req), out, (k) => k === n && go());
  await Promise.race([started, done]);
  return { done };
}

test('the KV connection is reused; slack is freed on commit; a dead destination aborts on its dropped connection and the next destination works', async (t) => {
  const reqs = [request(0, 400), request(1, 400), request(2, 900)];
  const want = await reference(reqs);
  const [a, b, c] = [await node(), await node(), await node()];
  try {
    // Two migrations A → B: the second reuses the first's KV connection.
    const outs: number[][] = [[], [], []];
    const r0 = await decoding(a, reqs[0]!, outs[0]!);
    const r1 = await decoding(a, reqs[1]!, outs[1]!);
    const first = await a.client.migrateOut(to(b));
    t.is(first.outcome, 'committed', first.detail);
    t.is(first.request_id, 'r1', 'LCFS picks the later request');
    t.false(first.last_stage?.connection_reused);
    const second = await a.client.migrateOut(to(b));
    t.is(second.outcome, 'committed', second.detail);
    t.true(second.last_stage?.connection_reused, 'the second migration to B reuses the connection');
    for (const m of [first, second]) {
      const ls = m.last_stage!;
      t.is(ls.connect_ms, 0, 'no connection opened while suspended');
      t.true(ls.committed_unix_ms >= ls.suspended_unix_ms);
    }
    t.is(await r1.done, `127.0.0.1:${b.server.port}`);
    t.is(await r0.done, `127.0.0.1:${b.server.port}`);
    // Nothing stays reserved on B: the slack reserved ahead of the last stage was freed on COMMIT.
    t.is(b.engine.core.snapshot().reserved_blocks, 0);
    await Promise.all([0, 1].map((i) => read(b.client.attach(`r${i}`), outs[i]!)));
    t.deepEqual(outs.slice(0, 2), want.slice(0, 2), 'migrated outputs equal the unmigrated run');

    // B dies: A's idle connection to it breaks. A migration to B aborts; the request stays on A.
    await b.server.stop();
    b.client.close();
    const r2 = await decoding(a, reqs[2]!, outs[2]!);
    const dead = await a.client.migrateOut(to(b));
    t.is(dead.outcome, 'aborted-dst-failed');
    t.is(a.engine.sequence('r2')?.status, 'running', 'the request keeps decoding on its source');
    // The next destination gets a connection of its own and the request moves there, unchanged.
    const moved = await a.client.migrateOut(to(c));
    t.is(moved.outcome, 'committed', moved.detail);
    t.false(moved.last_stage?.connection_reused);
    t.is(await r2.done, `127.0.0.1:${c.server.port}`);
    await read(c.client.attach('r2'), outs[2]!);
    t.deepEqual(outs[2], want[2]);
    t.is(c.engine.core.snapshot().reserved_blocks, 0);
  } finally {
    for (const n of [a, c]) n.client.close();
    await Promise.all([a, b, c].map((n) => n.server.stop()));
  }
});

test('the destination watchdog frees blocks reserved ahead of a last stage that never comes; a COMMIT is checked against the reservation', async (t) => {
  const engine = await LLMEngine.create({ model: 'tiny' });
  try {
    const incoming = new IncomingMigrations(engine, 150);
    const free = engine.core.free_blocks;
    t.is(incoming.preAlloc('gone', 5)?.length, 5);
    t.is(incoming.preAlloc('gone', 2)?.length, 2, 'the last stage\'s blocks, reserved ahead');
    t.is(engine.core.free_blocks, free - 7);
    await new Promise((r) => setTimeout(r, 600));
    t.is(incoming.reserved_blocks, 0);
    t.is(engine.core.free_blocks, free, 'the source went silent: everything it reserved is free again');

    incoming.preAlloc('x', 2);
    const state = { request_id: 'x', priority: 'normal' as const, prompt_token_ids: [1, 2, 3], num_computed_tokens: 3, sampling: request(0, 10).sampling, output: { output_token_ids: [], held_tokens: [], held_text: '', rng_state: [] } };
    t.throws(() => incoming.commitPayload(encodeKvCommit({ state: state as never, blocks: 3 })), { message: /COMMIT names 3 blocks but 2 are reserved here/ });
    t.is(engine.core.free_blocks, free - 2, 'a refused COMMIT leaves the reservation for the source to free');
    incoming.free('x');
    t.is(engine.core.free_blocks, free);
  } finally {
    await engine.shutdown();
  }
});

test('attached ahead: the announced destination delivers from the COMMIT on; source and destination tokens equal the unmigrated run', async (t) => {
  const req = request(3, 300);
  const [want] = await reference([req]);
  const [a, b] = [await node(), await node()];
  try {
    const fromSource: number[] = [];
    let ahead: AsyncIterable<GenerationDelta> | undefined;
    let announced: string | undefined;
    let go!: () => void;
    const started = new Promise<void>((r) => (go = r));
    const done = (async () => {
      for await (const d of a.client.generate(req)) {
        if (d.migrating_to !== undefined) {
          announced = d.migrating_to;
          ahead = b.client.attach(req.request_id);
          continue;
        }
        if (d.migrated_to !== undefined) return d.migrated_to;
        fromSource.push(...d.token_ids);
        if (fromSource.length === 3) go();
      }
      return undefined;
    })();
    await started;
    const m = await a.client.migrateOut(to(b));
    t.is(m.outcome, 'committed', m.detail);
    t.is(await done, `127.0.0.1:${b.server.port}`);
    t.is(announced, `127.0.0.1:${b.server.port}`, 'the source announced its destination before the marker');
    const fromDestination: GenerationDelta[] = [];
    for await (const d of ahead!) fromDestination.push(d);
    t.is(fromDestination[0]?.resumes_at, fromSource.length, 'the first delta after the COMMIT says how many tokens the source sent');
    t.deepEqual([...fromSource, ...fromDestination.flatMap((d) => d.token_ids)], want);
    await t.throwsAsync(async () => {
      for await (const _ of b.client.attach(req.request_id)) void _;
    }, { message: /no migrated request r3 waits to be attached here, and none is being migrated here/ });
  } finally {
    for (const n of [a, b]) n.client.close();
    await Promise.all([a, b].map((n) => n.server.stop()));
  }
});

test('an attachment cancelled before the COMMIT (the client went away) ends the request as soon as it commits; one kept gets the stream at the COMMIT', async (t) => {
  const src = await LLMEngine.create({ model: 'tiny' });
  const dst = await LLMEngine.create({ model: 'tiny' });
  try {
    const incoming = new IncomingMigrations(dst);
    /** The state of a request suspended on `src` after a few tokens (its KV is not copied: only the hand-over is checked). */
    const suspendedState = async (i: number) => {
      const req = request(i, 200);
      const out: number[] = [];
      let go!: () => void;
      const started = new Promise<void>((r) => (go = r));
      void read(src.generate(req), out, (k) => k === 3 && go());
      await started;
      t.true(await src.suspend(req.request_id));
      return migratedState(src.sequence(req.request_id)!);
    };
    const free = dst.core.free_blocks;
    t.false(incoming.attach('unknown', () => t.fail('nothing to deliver')), 'neither committed nor reserved here');

    const cancelled = await suspendedState(4);
    incoming.preAlloc(cancelled.request_id, 8);
    t.true(incoming.attach(cancelled.request_id, () => t.fail('a cancelled attachment gets no stream')));
    incoming.cancel(cancelled.request_id);
    t.false(incoming.attach(cancelled.request_id, () => t.fail('no stream')), 'a cancelled request takes no new attachment');
    // Ended once the destination's engine has nothing left to run (its idle report), not after a
    // pause; "at once" is counted in steps: at most the one under way when the COMMIT arrived.
    let steps = 0;
    const offStep = dst.onStep(() => steps++);
    const idle = new Promise<void>((r) => {
      const off = dst.onIdle(() => (off(), r()));
    });
    incoming.commit(cancelled);
    await idle;
    offStep();
    t.is(dst.sequence(cancelled.request_id), undefined, 'committed, then ended');
    t.true(steps <= 1, `ended at the first step boundary, not after ${steps} steps`);
    t.is(dst.core.free_blocks, free, 'its blocks are free again');

    const kept = await suspendedState(5);
    incoming.preAlloc(kept.request_id, 8);
    let delivered: AsyncIterable<GenerationDelta> | undefined;
    t.true(incoming.attach(kept.request_id, (s) => (delivered = s)));
    t.is(delivered, undefined, 'nothing before the COMMIT');
    incoming.commit(kept);
    t.not(delivered, undefined, 'delivered at the COMMIT');
    const it = delivered![Symbol.asyncIterator]();
    t.is((await it.next()).value?.resumes_at, kept.output.output_token_ids.length);
    t.is((await it.next()).value?.token_ids.length, 1, 'then the tokens of its steps here');
    dst.abort(kept.request_id);
  } finally {
    await src.shutdown();
    await dst.shutdown();
  }
});

test('a COMMIT payload that is not one is refused with a message naming what is wrong', (t) => {
  t.throws(() => decodeKvCommit(Buffer.from('{nope')), { message: /COMMIT payload is not JSON \(5 bytes\)/ });
  t.throws(() => decodeKvCommit(Buffer.from('{"blocks":1}')), { message: /state\.request_id is missing/ });
  t.throws(() => decodeKvCommit(Buffer.from('{"state":{"request_id":"q"},"blocks":-1}')), { message: /COMMIT payload for q: blocks = -1; expected a non-negative integer/ });
});
