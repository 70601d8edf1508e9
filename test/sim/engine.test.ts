import test from 'ava';
import { Engine, fittedPerfModel, LLAMA_7B_A10, SimRequest } from '../../sim/index.ts';
import { LIMITS, spec } from './helpers.ts';

const perf = fittedPerfModel('test', LLAMA_7B_A10);
const engine = (limits = {}): Engine => new Engine({ ...LIMITS, ...limits }, perf);
const request = (id: number, prompt: number, output = 100, arrival = id): SimRequest => new SimRequest(spec(id, arrival, prompt, output));

test('admission is strict FCFS: a head request that does not fit blocks the ones behind it', (t) => {
  const e = engine({ total_blocks: 20, watermark_blocks: 2 });
  const big = request(0, 16 * 19); // 19 blocks: 20 − 19 = 1 < watermark 2
  const small = request(1, 16);
  e.enqueue(big);
  e.enqueue(small);
  t.is(e.plan(0), undefined);
  t.deepEqual(e.waiting.map((r) => r.id), [0, 1]);
});

test('a prefill batch admits while blocks, the token budget and max_num_seqs allow', (t) => {
  const e = engine({ max_num_batched_tokens: 100, max_num_seqs: 2 });
  for (const [id, prompt] of [[0, 40], [1, 40], [2, 10]] as const) e.enqueue(request(id, prompt));
  const plan = e.plan(0);
  t.is(plan?.kind, 'prefill');
  t.deepEqual(plan?.batch.map((r) => r.id), [0, 1]); // request 2 stops at max_num_seqs = 2
  t.is(e.free_blocks, 100 - 3 - 3);
  t.true(Math.abs((plan?.duration_s ?? 0) * 1e3 - perf.prefill_ms([40, 40])) < 1e-9);

  const tokenBound = engine({ max_num_batched_tokens: 70 });
  for (const [id, prompt] of [[0, 40], [1, 40]] as const) tokenBound.enqueue(request(id, prompt));
  t.deepEqual(tokenBound.plan(0)?.batch.map((r) => r.id), [0]);
});

test('with no admission the iteration decodes every running request, allocating a block at each 16-token boundary', (t) => {
  const e = engine();
  const r = request(0, 16);
  e.enqueue(r);
  e.plan(0);
  r.prefilling = false;
  r.emitToken(0.1); // the prefill's token: length 17, KV holds 16 tokens in 1 block
  t.is(r.blocks, 1);
  const plan = e.plan(0.1);
  t.is(plan?.kind, 'decode');
  t.is(r.blocks, 2); // the KV of token 17 needs a second block
  t.true(Math.abs((plan?.duration_s ?? 0) * 1e3 - perf.decode_ms(1, 17)) < 1e-9);
});

test('out of blocks, decode preempts the latest arrival: blocks freed, back at the head of the queue', (t) => {
  const e = engine({ total_blocks: 4, watermark_blocks: 0 });
  const early = request(0, 32, 100, 0);
  const late = request(1, 32, 100, 1);
  e.enqueue(early);
  e.enqueue(late);
  t.deepEqual(e.plan(0)?.batch.map((r) => r.id), [0, 1]); // 2 + 2 blocks: the cache is full
  for (const r of [early, late]) {
    r.prefilling = false;
    r.emitToken(1);
  }
  const queued = request(2, 16, 100, 2);
  e.enqueue(queued);
  const plan = e.plan(2);
  t.is(plan?.kind, 'decode');
  t.deepEqual(plan?.preempted.map((r) => r.id), [1]);
  t.deepEqual(plan?.batch.map((r) => r.id), [0]);
  t.deepEqual(e.waiting.map((r) => r.id), [1, 2]);
  t.is(late.blocks, 0);
  t.deepEqual(late.killed, { killed_s: 2, output_tokens: 1 });
  t.is(e.killed, 1);
  t.is(late.length, 33); // a re-prefill recomputes prompt + generated tokens
  e.checkBlocks();
});

test('the only running request preempts itself when no block is left', (t) => {
  const e = engine({ total_blocks: 2, watermark_blocks: 0 });
  const r = request(0, 32);
  e.enqueue(r);
  e.plan(0);
  r.prefilling = false;
  r.emitToken(1);
  const plan = e.plan(1);
  t.deepEqual(plan?.preempted.map((x) => x.id), [0]);
  t.deepEqual(plan?.batch, []);
  t.is(e.free_blocks, 2);
});
