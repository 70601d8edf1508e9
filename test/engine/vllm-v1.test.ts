import test from 'ava';
import { admissionError, createEngine, VllmV0Scheduler, VllmV1Scheduler } from '../../engine/index.ts';
import { decodeIds, ids, LIMITS, prefillIds, stopAtOutput, TestSeq } from './helpers.ts';

const V1 = { ...LIMITS, watermark_blocks: 0, enable_prefix_caching: true };
const v1 = (limits = {}): VllmV1Scheduler<TestSeq> => new VllmV1Scheduler<TestSeq>({ ...V1, ...limits });

test('a prompt longer than the token budget is chunked across steps; its first token comes with the last chunk', (t) => {
  const e = v1({ max_num_batched_tokens: 32 });
  const s = new TestSeq(0, 100, 5);
  e.enqueue(s);
  const chunks: [number, number][] = [];
  for (let i = 0; i < 4; i++) {
    const plan = e.schedule()!;
    const p = plan.prefills[0]!;
    chunks.push([p.new_tokens, p.context_tokens]);
    const out = e.update(plan, stopAtOutput);
    t.is(out.emitted.length, i === 3 ? 1 : 0);
  }
  t.deepEqual(chunks, [[32, 0], [32, 32], [32, 64], [4, 96]]);
  t.is(s.generated, 1);
  t.is(s.blocks, Math.ceil(100 / 16)); // blocks follow the computed tokens, not the whole prompt up front
  const decode = e.schedule()!;
  t.deepEqual(decodeIds(decode), [0]);
  t.is(decode.decodes[0]?.context_tokens, 101);
});

test('blocks are allocated chunk by chunk, only for the tokens computed', (t) => {
  const e = v1({ max_num_batched_tokens: 20 });
  const s = new TestSeq(0, 100);
  e.enqueue(s);
  e.schedule();
  t.is(s.blocks, 2); // 20 tokens → 2 blocks of 16
});

test('decodes and prefill chunks share one budget in one step: running first, then waiting', (t) => {
  const e = v1({ max_num_batched_tokens: 40 });
  const a = new TestSeq(0, 10);
  e.enqueue(a);
  e.update(e.schedule()!, stopAtOutput);
  e.enqueue(new TestSeq(1, 100));
  const plan = e.schedule()!;
  t.deepEqual(decodeIds(plan), [0]);
  t.deepEqual(prefillIds(plan), [1]);
  t.is(plan.prefills[0]?.new_tokens, 39); // 40 − 1 decode
});

test('v1 preempts only when no block is free; v0 demands a free block per running request', (t) => {
  const limits = { total_blocks: 4, block_size_tokens: 16, watermark_blocks: 0 };
  const run = (e: VllmV0Scheduler<TestSeq> | VllmV1Scheduler<TestSeq>): number => {
    e.enqueue(new TestSeq(0, 24, 8));
    e.enqueue(new TestSeq(1, 24, 8)); // 2 blocks each: the cache is full, but 32-token blocks hold 8 more tokens
    let preemptions = 0;
    for (let i = 0; i < 6; i++) {
      const plan = e.schedule();
      if (plan === undefined) break;
      preemptions += plan.preempted.length;
      e.update(plan, stopAtOutput);
    }
    return preemptions;
  };
  t.is(run(v1(limits)), 0);
  t.true(run(new VllmV0Scheduler<TestSeq>({ ...LIMITS, ...limits })) > 0);
});

test('out of blocks: the tail of the running list is preempted, back to the head of the queue, and nothing is admitted that step', (t) => {
  const e = v1({ total_blocks: 4 });
  const a = new TestSeq(0, 32);
  const b = new TestSeq(1, 32);
  e.enqueue(a);
  e.enqueue(b);
  e.update(e.schedule()!, stopAtOutput); // 4 blocks held, both at 33 tokens: each needs a third block
  e.enqueue(new TestSeq(2, 4));
  const plan = e.schedule()!;
  t.deepEqual(ids(plan.preempted), [1]);
  t.deepEqual(decodeIds(plan), [0]);
  t.deepEqual(prefillIds(plan), []);
  t.deepEqual(ids(e.waiting), [1, 2]);
  t.is(b.num_computed_tokens, 0);
  t.is(e.killed, 1);
  e.checkBlocks();
});

test('a preempted sequence is readmitted on its cached blocks: only the missing tokens are recomputed', (t) => {
  const e = v1({ total_blocks: 6 });
  const a = new TestSeq(0, 40, 20); // 60 tokens at most: 4 blocks
  const b = new TestSeq(1, 40, 20);
  e.enqueue(a);
  e.enqueue(b);
  let plan = e.schedule()!;
  // 3 + 3 blocks; at 49 tokens each needs a 4th block and b (the tail) is preempted.
  while (plan.preempted.length === 0) {
    e.update(plan, stopAtOutput);
    plan = e.schedule()!;
  }
  t.deepEqual(ids(plan.preempted), [1]);
  t.is(b.num_tokens, 49);
  t.true(e.blocks.cached_blocks >= 3, 'its 3 full blocks stay cached (refcount 0) until evicted');
  let readmit;
  for (let i = 0; i < 200 && readmit === undefined; i++) {
    e.update(plan, stopAtOutput);
    plan = e.schedule()!;
    readmit = plan.admitted.includes(b) ? plan.prefills.find((x) => x.seq === b) : undefined;
  }
  t.truthy(readmit);
  // a's 4th block took b's *last* block (freed first, so evicted first); b's first two survive.
  t.is(readmit?.context_tokens, 32);
  t.is(readmit?.new_tokens, 49 - 32); // only the missing tokens are recomputed
  t.is(b.num_cached_tokens, 32);
  e.checkBlocks();
});

test('sequences sharing a prompt prefix (token ids) reuse its cached blocks; the refcount is shared', (t) => {
  const e = v1();
  const prefix = Array.from({ length: 40 }, (_, i) => i + 1);
  const a = new TestSeq(0, 50, 10, 0, { prompt_token_ids: [...prefix, ...Array.from({ length: 10 }, () => 7)] });
  e.enqueue(a);
  e.update(e.schedule()!, stopAtOutput, [9]);
  const b = new TestSeq(1, 45, 10, 1, { prompt_token_ids: [...prefix, 5, 5, 5, 5, 5] });
  e.enqueue(b);
  const plan = e.schedule()!;
  const chunk = plan.prefills.find((p) => p.seq === b)!;
  t.is(chunk.context_tokens, 32); // two full 16-token blocks of the shared 40-token prefix
  t.is(chunk.new_tokens, 13);
  t.deepEqual(b.block_table.slice(0, 2), a.block_table.slice(0, 2));
  t.is(e.blocks.refCount(a.block_table[0] as number), 2);
  e.checkBlocks();
});

test('trace hash ids (Mooncake) give prefix identity without token ids', (t) => {
  const e = v1();
  const a = new TestSeq(0, 64, 4, 0, { hash_ids: [11, 12], hash_block_tokens: 32 });
  e.enqueue(a);
  e.update(e.schedule()!, stopAtOutput);
  const b = new TestSeq(1, 64, 4, 1, { hash_ids: [11, 99], hash_block_tokens: 32 });
  e.enqueue(b);
  const chunk = e.schedule()!.prefills.find((p) => p.seq === b)!;
  t.is(chunk.context_tokens, 32); // trace block 11 = engine blocks 0 and 1; 99 differs
});

test('unreferenced cached blocks are evicted LRU when blocks run short', (t) => {
  const e = v1({ total_blocks: 4 });
  const a = new TestSeq(0, 32, 1);
  e.enqueue(a);
  e.update(e.schedule()!, stopAtOutput); // a finishes: 2 cached blocks, refcount 0, still counted free
  t.is(e.free_blocks, 4);
  t.is(e.blocks.cached_blocks, 2);
  const b = new TestSeq(1, 60, 1);
  e.enqueue(b);
  e.update(e.schedule()!, stopAtOutput); // needs all 4 blocks: both cached ones are evicted
  t.is(e.blocks.cached_blocks, 3); // b's own 3 full blocks
  e.checkBlocks();
});

test('max_num_seqs caps the running list', (t) => {
  const e = v1({ max_num_seqs: 2 });
  for (let i = 0; i < 4; i++) e.enqueue(new TestSeq(i, 8));
  t.deepEqual(prefillIds(e.schedule()), [0, 1]);
});

test('max_model_len is checked at admission with a clear reason; it cannot exceed the KV cache', (t) => {
  const limits = { ...V1, max_model_len_tokens: 1000 };
  t.is(admissionError('vllm-v1', limits, 900, 100), undefined);
  t.is(admissionError('vllm-v1', limits, 900, 101), 'prompt 900 + max_tokens 101 tokens exceed max_model_len 1000');
  t.is(admissionError('vllm-v1', { ...V1 }, 20000, 1), `prompt 20000 + max_tokens 1 tokens exceed max_model_len ${100 * 16}`);
  t.regex(admissionError('vllm-v0', LIMITS, 5000, 1) ?? '', /prompt tokens, beyond one instance/);
  t.throws(() => createEngine('vllm-v1', { ...V1, max_model_len_tokens: 100 * 16 + 1 }), { message: /exceeds the KV cache/ });
});
