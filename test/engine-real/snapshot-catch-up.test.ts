// The destination's side of the snapshot last stage in one process, deterministic: a request's
// snapshot (state and KV blocks copied between two engines' pools) is committed on a second
// engine with `source_continues`, and the tokens its source produced after the snapshot are
// handed over before that engine's first step. It replays them (text streamed, random stream
// advanced by their draws), computes their KV as one chunk, and continues with exactly the
// tokens an unmigrated run produces; tokens that disagree with what it produced end its copy.
// With no catch-up at all (its source died) it continues alone with the same tokens.
import test from 'ava';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { migratedState } from '../../backend/engine/migrated-state.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta, SamplingParams } from '../../backend/engine/types.ts';
import { blocksFor } from '../../engine/index.ts';
import { collect, oneEngineOutputs, privateModelCache } from './helpers.ts';

privateModelCache('snapshot-catch-up');

const PROMPT = Array.from({ length: 37 }, (_, j) => (j * 29 + 5) % 500);

/** Runs `sampling` on a source engine, suspends it after at least `after` tokens, and commits its snapshot on a fresh destination engine. */
async function snapshotOn(sampling: SamplingParams, after: number) {
  const src = await LLMEngine.create({ model: 'tiny' });
  const dst = await LLMEngine.create({ model: 'tiny' });
  let go: () => void;
  const reached = new Promise<void>((r) => (go = r));
  const srcRun = collect(src.generate({ request_id: 'q', prompt_token_ids: PROMPT, sampling }), (n) => n === after && go());
  await reached;
  if (!(await src.suspend('q'))) throw new Error('the source request did not suspend');
  const seq = src.sequence('q')!;
  const state = migratedState(seq);
  const n = blocksFor(state.num_computed_tokens, src.core.limits.block_size_tokens);
  const ids = dst.reserveBlocks(n)!;
  const buf = new Uint8Array(src.runner.kvPool.stagingBytes(n));
  src.runner.kvPool.gatherSync(seq.block_table.slice(0, n), buf);
  dst.runner.kvPool.scatterSync(ids, buf);
  src.abort('q');
  src.resumeSuspended('q'); // a suspended request ends when its migration gives it back
  await srcRun;
  const stream = dst.commitIncoming(state, ids, { source_continues: true });
  return { src, dst, state, stream };
}

async function deltas(stream: AsyncIterable<GenerationDelta>): Promise<GenerationDelta[]> {
  const out: GenerationDelta[] = [];
  for await (const d of stream) out.push(d);
  return out;
}

for (const [name, sampling] of [
  ['greedy', parseSamplingParams({ max_tokens: 60, temperature: 0, ignore_eos: true })],
  ['seeded', parseSamplingParams({ max_tokens: 60, temperature: 0.9, top_p: 0.9, seed: 5, ignore_eos: true })],
] as const) {
  test(`${name}: tokens sent after the snapshot are replayed and computed as a chunk; the rest equals an unmigrated run`, async (t) => {
    const [want] = await oneEngineOutputs([PROMPT], sampling);
    const { src, dst, state, stream } = await snapshotOn(sampling, 6);
    try {
      const at = state.output.output_token_ids.length;
      t.deepEqual(state.output.output_token_ids, want!.ids.slice(0, at));
      // The source got 9 tokens further before the destination's first step.
      dst.catchUpMigrated('q', at, want!.ids.slice(at, at + 9));
      const got = await deltas(stream);
      t.is(got[0]!.resumes_at, at);
      t.true(got[0]!.source_continues);
      t.deepEqual(got.flatMap((d) => d.token_ids), want!.ids.slice(at));
      t.is(got.map((d) => d.text).join(''), want!.text.slice(want!.text.length - got.map((d) => d.text).join('').length));
      t.is(dst.core.free_blocks, dst.core.limits.total_blocks);
    } finally {
      await src.shutdown();
      await dst.shutdown();
    }
  });

  // What the manager relies on when the source dies while its destination catches up
  // (follow-stream.ts): no catch-up ever arrives, and the destination's own tokens are the run's.
  test(`${name}: a destination whose source sends nothing after the snapshot (it died) goes on alone with exactly the unmigrated run's tokens`, async (t) => {
    const [want] = await oneEngineOutputs([PROMPT], sampling);
    const { src, dst, state, stream } = await snapshotOn(sampling, 6);
    try {
      const at = state.output.output_token_ids.length;
      const got = await deltas(stream);
      t.is(got[0]!.resumes_at, at);
      t.deepEqual(got.flatMap((d) => d.token_ids), want!.ids.slice(at));
      t.is(dst.core.free_blocks, dst.core.limits.total_blocks);
    } finally {
      await src.shutdown();
      await dst.shutdown();
    }
  });
}

test('catch-up tokens that disagree with what the destination produced end its copy with an error, freeing its blocks', async (t) => {
  const sampling = parseSamplingParams({ max_tokens: 60, temperature: 0, ignore_eos: true });
  const { src, dst, state, stream } = await snapshotOn(sampling, 4);
  try {
    const at = state.output.output_token_ids.length;
    // Index `at - 1` is the snapshot's own last token: a different one cannot come from its source.
    dst.catchUpMigrated('q', at - 1, [(state.output.output_token_ids[at - 1]! + 1) % 500]);
    const err = await t.throwsAsync(deltas(stream));
    t.regex(err!.message, /output token \d+ is \d+ here but \d+ on the source/);
    t.is(dst.core.free_blocks, dst.core.limits.total_blocks);
  } finally {
    await src.shutdown();
    await dst.shutdown();
  }
});
