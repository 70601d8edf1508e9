/**
 * The contract every scheduler passes (hono's runTest pattern): randomized runs under tight
 * memory, with prefix-sharing prompts, aborts and migrations between two engines. After every
 * step: block conservation and refcounts exact; every sequence in exactly one place; tokens
 * only ever appended, one per emission. At the end: every sequence finished with all its
 * tokens, every block free with refcount 0, and the same seed gives the same plans.
 */
import test from 'ava';
import { admissionError, createEngine, ENGINE_KINDS, type EngineCore, type EngineKind, type EngineLimits } from '../../engine/index.ts';
import { rng } from '../engine-native/tiny-model.ts';
import { stopAtOutput, TestSeq } from './helpers.ts';


interface Variant {
  readonly name: string;
  readonly kind: EngineKind;
  readonly limits: EngineLimits;
  /** Real token ids (prefix identity from tokens) instead of counts. */
  readonly tokens: boolean;
  /** false: a counting engine (block counts, no ids), as the simulator builds them. */
  readonly block_ids?: boolean;
}

const tight: EngineLimits = { total_blocks: 48, watermark_blocks: 1, block_size_tokens: 4, max_num_batched_tokens: 64, max_num_seqs: 6 };
const VARIANTS: Variant[] = [
  { name: 'vllm-v0', kind: 'vllm-v0', limits: tight, tokens: false },
  { name: 'vllm-v1 (counts, own prefix identity)', kind: 'vllm-v1', limits: { ...tight, watermark_blocks: 0, enable_prefix_caching: true }, tokens: false },
  { name: 'vllm-v1 (token ids, shared prefixes)', kind: 'vllm-v1', limits: { ...tight, watermark_blocks: 0, enable_prefix_caching: true }, tokens: true },
  { name: 'vllm-v1 (no prefix caching)', kind: 'vllm-v1', limits: { ...tight, watermark_blocks: 0, enable_prefix_caching: false }, tokens: true },
  { name: 'vllm-v0 (counting blocks)', kind: 'vllm-v0', limits: tight, tokens: false, block_ids: false },
  { name: 'vllm-v1 (counting blocks, no prefix caching)', kind: 'vllm-v1', limits: { ...tight, watermark_blocks: 0, enable_prefix_caching: false }, tokens: true, block_ids: false },
];

/** Runs a random workload to completion on two engines; returns a trace of every plan. */
function drive(variant: Variant, seed: number, check: (msg: string) => void): string {
  const random = rng(seed);
  const ids = variant.block_ids ?? true;
  const engines = [0, 1].map(() => createEngine<TestSeq>(variant.kind, variant.limits, { block_ids: ids }));
  const all: TestSeq[] = [];
  const generated = new Map<TestSeq, number>();
  const trace: string[] = [];
  const prefixes = [0, 1, 2].map((p) => Array.from({ length: 12 }, (_, i) => 100 * p + i));
  let nextId = 0;
  const spawn = (): void => {
    const prompt = 1 + Math.floor(random() * 40);
    const output = 1 + Math.floor(random() * 30);
    if (admissionError(variant.kind, variant.limits, prompt, output) !== undefined) return;
    const shared = prefixes[Math.floor(random() * prefixes.length)] as number[];
    const tokenIds = Array.from({ length: prompt }, (_, i) => (i < shared.length ? (shared[i] as number) : 1000 + Math.floor(random() * 5)));
    const seq = new TestSeq(nextId++, prompt, output, nextId, variant.tokens ? { prompt_token_ids: tokenIds } : {});
    all.push(seq);
    generated.set(seq, 0);
    (engines[Math.floor(random() * 2)] as EngineCore<TestSeq>).enqueue(seq);
  };
  const verify = (): void => {
    const seen = new Map<TestSeq, string>();
    engines.forEach((e, k) => {
      e.checkBlocks();
      for (const s of e.waiting) seen.set(s, seen.has(s) ? 'dup' : `w${k}`);
      for (const s of e.running) seen.set(s, seen.has(s) ? 'dup' : `r${k}`);
    });
    for (const s of all) {
      const where = seen.get(s);
      if (where === 'dup') check(`sequence ${s.id} is in two places`);
      if (s.status === 'finished' && where !== undefined) check(`finished sequence ${s.id} still queued`);
      if ((s.status === 'waiting' || s.status === 'running') && where === undefined) check(`sequence ${s.id} (${s.status}) was lost`);
      if (s.generated < (generated.get(s) ?? 0)) check(`sequence ${s.id} lost tokens`);
      if (variant.tokens && s.token_ids?.length !== s.num_tokens) check(`sequence ${s.id}: ${s.token_ids?.length} ids for ${s.num_tokens} tokens`);
      generated.set(s, s.generated);
    }
  };

  for (let step = 0; step < 4000; step++) {
    if (step < 300 && random() < 0.5) spawn();
    for (const [k, e] of engines.entries()) {
      const plan = e.schedule();
      if (plan === undefined) continue;
      trace.push(`${k}:${plan.prefills.map((p) => `${p.seq.id}+${p.new_tokens}@${p.context_tokens}`).join(',')}|${plan.decodes.map((d) => d.seq.id).join(',')}|${plan.preempted.map((s) => s.id).join(',')}`);
      let budget = 0;
      for (const p of plan.prefills) budget += p.new_tokens;
      budget += plan.decodes.length;
      if (variant.kind === 'vllm-v1' && budget > variant.limits.max_num_batched_tokens) check(`step over budget: ${budget}`);
      const before = new Map(all.map((s) => [s, s.generated] as const));
      const sampled = [...plan.prefills, ...plan.decodes].map(() => 7 + Math.floor(random() * 3));
      const outcome = e.update(plan, stopAtOutput, variant.tokens ? sampled : undefined);
      for (const s of outcome.emitted) if (s.generated !== (before.get(s) ?? 0) + 1) check(`sequence ${s.id} emitted ${s.generated - (before.get(s) ?? 0)} tokens in one step`);
      for (const s of outcome.finished) if (s.generated !== s.output) check(`sequence ${s.id} finished with ${s.generated}/${s.output}`);
    }
    // Now and then abort a waiting/running sequence, or migrate a running one to the other engine.
    const r = random();
    if (r < 0.02) {
      const live = all.filter((s) => s.status === 'waiting' || s.status === 'running');
      const victim = live[Math.floor(random() * live.length)];
      if (victim !== undefined) {
        const owner = engines.find((e) => e.waiting.includes(victim) || e.running.includes(victim)) as EngineCore<TestSeq>;
        owner.abort(victim);
        all.splice(all.indexOf(victim), 1);
      }
    } else if (r < 0.06) {
      const from = engines[Math.floor(random() * 2)] as EngineCore<TestSeq>;
      const to = engines.find((e) => e !== from) as EngineCore<TestSeq>;
      const seq = from.running.find((s) => !s.in_prefill);
      if (seq !== undefined) {
        const reserved = to.reserve(seq.blocks);
        if (reserved !== undefined) {
          const copied = ids ? from.blockIds(seq).length : seq.blocks;
          from.suspend(seq);
          verify();
          if (copied !== reserved.length) check('reservation size differs from the copied table');
          if (random() < 0.2) {
            from.resume(seq);
            to.releaseReservation(reserved);
          } else {
            from.releaseSuspended(seq);
            to.commitIncoming(seq, reserved);
          }
        }
      }
    }
    verify();
    if (step > 300 && engines.every((e) => e.idle)) break;
  }
  for (const s of all) if (s.status !== 'finished') check(`sequence ${s.id} never finished (${s.status})`);
  for (const e of engines) {
    if (e.free_blocks !== variant.limits.total_blocks) check(`${e.free_blocks} of ${variant.limits.total_blocks} blocks free at the end`);
    if (ids) for (let id = 0; id < variant.limits.total_blocks; id++) if (e.blocks.refCount(id) !== 0) check(`block ${id} keeps refcount ${e.blocks.refCount(id)}`);
    if (e.blocks.ids !== ids) check(`the engine keeps block ids: ${e.blocks.ids}, asked ${ids}`);
  }
  return trace.join('\n');
}

for (const variant of VARIANTS) {
  test(`contract: ${variant.name} conserves blocks, loses and duplicates nothing, accounts every token, is deterministic`, (t) => {
    const failures: string[] = [];
    const check = (msg: string): void => {
      if (failures.length < 5) failures.push(msg);
    };
    let steps = 0;
    for (const seed of [1, 2, 3]) {
      const a = drive(variant, seed, check);
      const b = drive(variant, seed, check);
      t.is(a, b, `seed ${seed}: same seed, same plans`);
      steps += a.split('\n').length;
    }
    t.deepEqual(failures, []);
    t.true(steps > 300, `${steps} steps ran`);
  });
}

test('the contract runs preempt under this memory (it tests the hard path)', (t) => {
  for (const kind of ENGINE_KINDS) {
    const variant = VARIANTS.find((v) => v.kind === kind) as Variant;
    const trace = drive(variant, 1, () => undefined);
    t.true(trace.split('\n').some((line) => !line.endsWith('|')), `${kind} preempted at least once`);
  }
});

test('a counting engine plans every step exactly as the same engine with block ids', (t) => {
  for (const counting of VARIANTS.filter((v) => v.block_ids === false)) {
    const withIds = VARIANTS.find((v) => v.block_ids === undefined && v.kind === counting.kind && v.limits.enable_prefix_caching !== true) as Variant;
    t.truthy(withIds, counting.name);
    for (const seed of [1, 2, 3]) {
      const failures: string[] = [];
      const a = drive(withIds, seed, (msg) => failures.push(msg));
      const b = drive({ ...withIds, block_ids: false }, seed, (msg) => failures.push(msg));
      t.is(b, a, `${counting.name}, seed ${seed}`);
      t.deepEqual(failures, []);
    }
  }
});
