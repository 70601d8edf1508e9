// The real engine end to end on CPU: engine/ (vLLM v1 scheduler, block manager, prefix cache)
// driving the native model runner on the tiny random model. Exactness, not tolerance: a
// greedy sequence's tokens must not depend on its batch, on preemption + recompute, or on
// prefix-cache hits.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMEngine, type LLMEngineOptions } from '../../backend/engine/llm-engine.ts';
import { LLM } from '../../backend/engine/llm.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta, GenerationRequest, SamplingParams } from '../../backend/engine/types.ts';
import { fromGenerateMessage, toGenerateMessage, type GenerateMessage } from '../../backend/rpc/messages.ts';
import { PROTO_OPTIONS } from '../../backend/rpc/load-proto.ts';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const cache = mkdtempSync(join(tmpdir(), 'fleetlab-engine-'));
process.env['FLEETLAB_CACHE_DIR'] = cache;
test.after.always(() => rmSync(cache, { recursive: true, force: true }));

const greedy = (max_tokens: number): SamplingParams => parseSamplingParams({ max_tokens, temperature: 0, ignore_eos: true });

async function collect(stream: AsyncIterable<GenerationDelta>): Promise<{ ids: number[]; text: string; finish: string | undefined }> {
  const ids: number[] = [];
  let text = '';
  let finish: string | undefined;
  for await (const d of stream) {
    ids.push(...d.token_ids);
    text += d.text;
    finish = d.finish_reason ?? finish;
  }
  return { ids, text, finish };
}

/** Prompts of different lengths (token ids below the tiny tokenizer's vocabulary). */
function prompts(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: 5 + ((i * 7) % 23) }, (_, j) => (i * 31 + j * 17 + 3) % 500));
}

async function run(opts: Omit<LLMEngineOptions, 'model'>, inputs: number[][], max_tokens: number): Promise<number[][]> {
  const engine = await LLMEngine.create({ model: 'tiny', ...opts });
  try {
    const outs = await Promise.all(inputs.map((p, i) => collect(engine.generate({ request_id: `r${i}`, prompt_token_ids: p, sampling: greedy(max_tokens) }))));
    engine.core.checkBlocks();
    return outs.map((o) => o.ids);
  } finally {
    await engine.shutdown();
  }
}

test('generates max_tokens tokens and finishes with length', async (t) => {
  const engine = await LLMEngine.create({ model: 'tiny' });
  try {
    const out = await collect(engine.generate({ request_id: 'a', prompt_token_ids: [1, 2, 3, 4], sampling: greedy(12) }));
    t.is(out.ids.length, 12);
    t.is(out.finish, 'length');
    t.is(engine.core.free_blocks, engine.core.limits.total_blocks, 'every block is free again');
  } finally {
    await engine.shutdown();
  }
});

test('a sequence generates the same tokens alone and in a batch of 12', async (t) => {
  const inputs = prompts(12);
  const batched = await run({}, inputs, 10);
  for (const i of [0, 5, 11]) {
    const [alone] = await run({}, [inputs[i]!], 10);
    t.deepEqual(batched[i], alone, `prompt ${i}`);
  }
});

test('preemption and recompute under a tiny KV cache lose nothing: tokens equal a roomy run', async (t) => {
  const inputs = prompts(10);
  const roomy = await run({}, inputs, 24);
  // 13 blocks of 4 tokens hold one longest request (26 prompt + 24 output tokens), not ten.
  const engine = await LLMEngine.create({ model: 'tiny', num_kv_blocks: 13, block_size_tokens: 4, max_model_len: 52, enable_prefix_caching: false });
  try {
    const outs = await Promise.all(inputs.map((p, i) => collect(engine.generate({ request_id: `r${i}`, prompt_token_ids: p, sampling: greedy(24) }))));
    t.deepEqual(outs.map((o) => o.ids), roomy);
    t.true(engine.stats().preemptions > 0, 'the small cache forced preemptions');
    t.is(engine.core.free_blocks, 13);
  } finally {
    await engine.shutdown();
  }
});

test('chunked prefill (budget of 8 tokens a step) gives the same tokens as whole prompts', async (t) => {
  const inputs = prompts(6);
  const whole = await run({}, inputs, 8);
  const chunked = await run({ max_num_batched_tokens: 8 }, inputs, 8);
  t.deepEqual(chunked, whole);
});

test('prefix-cache hits reuse blocks and leave the output unchanged', async (t) => {
  const shared = Array.from({ length: 40 }, (_, j) => (j * 13 + 7) % 500);
  const a = [...shared, 11, 12];
  const b = [...shared, 21, 22, 23];
  const [noCacheB] = await run({ enable_prefix_caching: false }, [b], 8);
  const engine = await LLMEngine.create({ model: 'tiny', enable_prefix_caching: true });
  try {
    await collect(engine.generate({ request_id: 'a', prompt_token_ids: a, sampling: greedy(8) }));
    const cachedBefore = engine.core.blocks.cached_blocks;
    t.true(cachedBefore >= 2, `blocks of the shared prefix are cached (${cachedBefore})`);
    const out = await collect(engine.generate({ request_id: 'b', prompt_token_ids: b, sampling: greedy(8) }));
    t.deepEqual(out.ids, noCacheB);
  } finally {
    await engine.shutdown();
  }
});

test('an aborted request ends with finish_reason abort and frees its blocks', async (t) => {
  const engine = await LLMEngine.create({ model: 'tiny' });
  try {
    const controller = new AbortController();
    const stream = engine.generate({ request_id: 'x', prompt_token_ids: [5, 6, 7], sampling: greedy(1000) }, controller.signal);
    const seen: GenerationDelta[] = [];
    for await (const d of stream) {
      seen.push(d);
      if (seen.length === 3) controller.abort();
    }
    t.is(seen.at(-1)?.finish_reason, 'abort');
    t.true(seen.length < 20);
    t.is(engine.core.free_blocks, engine.core.limits.total_blocks);
  } finally {
    await engine.shutdown();
  }
});

test('seeded sampling repeats exactly; another seed differs', async (t) => {
  const engine = await LLMEngine.create({ model: 'tiny' });
  try {
    const params = (seed: number) => parseSamplingParams({ max_tokens: 16, temperature: 1.0, seed, ignore_eos: true });
    const p = [9, 8, 7, 6];
    const a = await collect(engine.generate({ request_id: 'a', prompt_token_ids: p, sampling: params(1) }));
    const b = await collect(engine.generate({ request_id: 'b', prompt_token_ids: p, sampling: params(1) }));
    const c = await collect(engine.generate({ request_id: 'c', prompt_token_ids: p, sampling: params(2) }));
    t.deepEqual(a.ids, b.ids);
    t.notDeepEqual(a.ids, c.ids);
  } finally {
    await engine.shutdown();
  }
});

test('bad requests get clear errors', async (t) => {
  const engine = await LLMEngine.create({ model: 'tiny', max_model_len: 64 });
  try {
    t.throws(() => engine.generate({ request_id: 'e', prompt_token_ids: [], sampling: greedy(4) }), { message: /prompt_token_ids is empty/ });
    t.throws(() => engine.generate({ request_id: 'v', prompt_token_ids: [1, 99999], sampling: greedy(4) }), { message: /prompt_token_ids\[1\] = 99999/ });
    t.throws(() => engine.generate({ request_id: 'l', prompt_token_ids: [1, 2, 3], sampling: greedy(62) }), { message: /max_model_len 64/ });
  } finally {
    await engine.shutdown();
  }
});

test('logits processors on the real engine: a bias decides greedy tokens, min_tokens holds a stop token back, the wire keeps them', async (t) => {
  const engine = await LLMEngine.create({ model: 'tiny' });
  try {
    const p = [9, 8, 7, 6];
    const sampling = (o: Record<string, unknown>) => parseSamplingParams({ max_tokens: 12, temperature: 0, ...o });
    const plain = await collect(engine.generate({ request_id: 'plain', prompt_token_ids: p, sampling: sampling({ ignore_eos: true }) }));
    const forced = plain.ids[0] === 41 ? 42 : 41;
    const biased = await collect(engine.generate({ request_id: 'bias', prompt_token_ids: p, sampling: sampling({ ignore_eos: true, logit_bias: { [forced]: 100 } }) }));
    t.deepEqual(biased.ids, Array.from({ length: 12 }, () => forced));
    // The forced token is a stop token, held back for min_tokens tokens, then it ends the output.
    const held = await collect(engine.generate({ request_id: 'min', prompt_token_ids: p, sampling: sampling({ ignore_eos: true, logit_bias: { [forced]: 100 }, stop_token_ids: [forced], min_tokens: 5 }) }));
    t.is(held.ids.length, 6);
    t.false(held.ids.slice(0, 5).includes(forced));
    t.is(held.ids[5], forced);
    t.is(held.finish, 'stop');
    // A repetition penalty changes the greedy answer of this prompt and is deterministic.
    const penalised = (id: string) => collect(engine.generate({ request_id: id, prompt_token_ids: p, sampling: sampling({ ignore_eos: true, repetition_penalty: 3, presence_penalty: 2 }) }));
    const [a, b] = [await penalised('pa'), await penalised('pb')];
    t.deepEqual(a.ids, b.ids);
    t.notDeepEqual(a.ids, plain.ids);
    t.throws(() => engine.generate({ request_id: 'v', prompt_token_ids: p, sampling: sampling({ logit_bias: { 99999: 1 } }) }), { message: /logit_bias token id 99999; expected an integer in \[0, \d+\)/ });
  } finally {
    await engine.shutdown();
  }
  // Through the protobuf encoding of the instance's Submits stream and back: the same parameters.
  const def = protoLoader.loadSync(fileURLToPath(new URL('../../backend/rpc/instance.proto', import.meta.url)), PROTO_OPTIONS);
  const submits = (def['fleetlab.instance.Instance'] as protoLoader.ServiceDefinition)['Submits']!;
  const wire = (r: GenerationRequest): GenerationRequest => {
    const m = submits.requestDeserialize(submits.requestSerialize({ subscriber: 's', request: toGenerateMessage(r) })) as { request: GenerateMessage };
    return fromGenerateMessage(m.request);
  };
  const full = parseSamplingParams({ max_tokens: 9, presence_penalty: -0.5, frequency_penalty: 1.25, repetition_penalty: 1.5, min_tokens: 2, min_p: 0.25, logit_bias: { 3: 2, 1: -4 } });
  const request = { request_id: 'w', prompt_token_ids: [1, 2], sampling: full };
  t.deepEqual(wire(request).sampling, full);
  const bare = parseSamplingParams({ max_tokens: 9 });
  t.deepEqual(wire({ ...request, sampling: bare }).sampling, bare, 'neutral values stay absent');
});

test('the offline LLM API tokenizes, generates and detokenizes', async (t) => {
  const llm = await LLM.create({ model: 'tiny' });
  try {
    const outs = await llm.generate(['hello world', 'the quick brown fox'], { max_tokens: 6, temperature: 0, ignore_eos: true });
    t.is(outs.length, 2);
    for (const o of outs) {
      t.is(o.outputs[0].token_ids.length, 6);
      t.is(o.outputs[0].text, llm.engine.tokenizer.decode(o.outputs[0].token_ids, { skip_special_tokens: true }));
    }
    t.notDeepEqual(outs[0]!.outputs[0].token_ids, outs[1]!.outputs[0].token_ids, 'a random model still answers different prompts differently');
  } finally {
    await llm.shutdown();
  }
});

test('vllm-v0: a preempted request grown past max_num_batched_tokens ends with length and the tokens it had, not a hang', async (t) => {
  // Two prompts of 20 tokens, 40 tokens each, in 16 blocks of 4: both run until the cache is
  // full at ~32 tokens each, the later one is preempted, and its recompute (~32 tokens) no
  // longer fits the 30-token prefill cap. vLLM 0.1.7 drops it as ignored (finish_reason length).
  const inputs = [0, 1].map((i) => Array.from({ length: 20 }, (_, j) => (i * 31 + j * 17 + 3) % 500));
  const roomy = await run({ engine_kind: 'vllm-v0' }, inputs, 40);
  const engine = await LLMEngine.create({ model: 'tiny', engine_kind: 'vllm-v0', num_kv_blocks: 16, block_size_tokens: 4, max_num_batched_tokens: 30, max_model_len: 64 });
  try {
    const outs = await Promise.all(inputs.map((p, i) => collect(engine.generate({ request_id: `r${i}`, prompt_token_ids: p, sampling: greedy(40) }))));
    t.deepEqual(outs.map((o) => o.finish), ['length', 'length']);
    t.deepEqual(outs[0]?.ids, roomy[0], 'the request that kept its blocks is unaffected');
    const dropped = outs[1]?.ids ?? [];
    t.true(dropped.length > 30 - 20 && dropped.length < 40, `the dropped request produced ${dropped.length} tokens before its recompute outgrew the cap`);
    t.deepEqual(dropped, roomy[1]?.slice(0, dropped.length), 'what it produced is what a roomy run produces');
    t.true(engine.stats().preemptions > 0);
    t.is(engine.core.free_blocks, 16);
  } finally {
    await engine.shutdown();
  }
});
