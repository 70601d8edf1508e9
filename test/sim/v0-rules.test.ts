/**
 * vLLM 0.1.7 engine rules that can only be seen inside the engine (its queue, block counts,
 * the step plan). Everything that reads engine internals lives in this one file, so a
 * refactor of the engine (engine/) only has to port these imports.
 * Every test names the one-line mutation it was checked against (applied by hand, the test
 * failed, reverted).
 */
import test from 'ava';
import type { RequestSpec } from '../../traces/index.ts';
import { createEngine, planSequences } from '../../engine/index.ts';
import { parseRunConfig, simulate, SimRequest, type SimCluster, type SimEngine, type StepPlan } from '../../sim/index.ts';
import { LIMITS, spec } from './helpers.ts';

const engine = (limits = {}): SimEngine => createEngine<SimRequest>('vllm-v0', { ...LIMITS, ...limits });
const request = (id: number, prompt: number, priority: RequestSpec['priority'] = 'normal'): SimRequest =>
  new SimRequest({ ...spec(id, id, prompt, 100), priority });
const ids = (seqs: readonly SimRequest[]): number[] => seqs.map((r) => r.id);
const prefillIds = (plan: StepPlan<SimRequest> | undefined): number[] => (plan?.prefills ?? []).map((p) => p.seq.id);
const decodeIds = (plan: StepPlan<SimRequest> | undefined): number[] => (plan?.decodes ?? []).map((d) => d.seq.id);

/** Ends a step the way the cluster does: the engine appends the step's tokens (the prefill's first one). */
function endStep(e: SimEngine, plan: StepPlan<SimRequest> | undefined): void {
  if (plan !== undefined) e.update(plan, (r) => r.done);
}

// Mutations (engine/vllm-v0.ts, reserveDecodeSlots): demand the free block only when a new
// block is needed (`while (this.blocks.free_blocks < 1)` → `while (Math.ceil((seq.prompt_tokens
// + seq.generated) / size) > seq.block_table.length && this.blocks.free_blocks < 1)`), or take a
// block at every decode (`if (Math.ceil(…) > seq.block_table.length)` → `if (true)`).
test('can_append_slot: one free block per running request, taken only at a block boundary', (t) => {
  // Two 24-token prompts: 2 blocks each, 8 tokens of room in the last; 1 spare block.
  const e = engine({ total_blocks: 5, watermark_blocks: 0 });
  const [a, b] = [request(0, 24), request(1, 24)];
  e.enqueue(a);
  e.enqueue(b);
  endStep(e, e.schedule());
  const decode = e.schedule();
  t.deepEqual(decodeIds(decode), [0, 1]);
  t.deepEqual(decode?.preempted, []);
  t.is(e.free_blocks, 1, 'no block taken: length 25 fits 2 blocks');
  t.deepEqual([a.blocks, b.blocks], [2, 2]);
  // With no free block at all, the same decode preempts the latest arrival although neither
  // request needs a new block.
  const tight = engine({ total_blocks: 4, watermark_blocks: 0 });
  const [c, d] = [request(0, 24), request(1, 24)];
  tight.enqueue(c);
  tight.enqueue(d);
  endStep(tight, tight.schedule());
  const squeezed = tight.schedule();
  t.deepEqual(ids(squeezed?.preempted ?? []), [1]);
  t.deepEqual(decodeIds(squeezed), [0]);
  t.is(c.blocks, 2);
  t.is(d.blocks, 0);
  tight.checkBlocks();
});

// Mutation (engine/vllm-v0.ts, schedule()): the prefill plan carries the running requests too
// (`return { prefills, decodes: [], admitted, preempted: [] }` → `decodes: this.running.filter((s)
// => !admitted.includes(s)).map((seq) => ({ seq, context_tokens: seq.num_tokens }))`).
test('an iteration that admits requests is prefill-only: running requests sit it out', (t) => {
  const e = engine();
  const a = request(0, 40);
  e.enqueue(a);
  endStep(e, e.schedule());
  const b = request(1, 40);
  e.enqueue(b);
  const plan = e.schedule();
  t.deepEqual(prefillIds(plan), [1]);
  t.deepEqual(decodeIds(plan), []);
  t.deepEqual(ids(e.running), [0, 1]);
  endStep(e, plan);
  t.deepEqual([a.generated, b.generated], [1, 1], 'A gained no token in B’s prefill');
});

// Mutations (engine/engine-core.ts, enqueue()): ignore the flag (`this.limits.high_priority_first
// === true && seq.priority === 'high'` → `seq.priority === 'high'`); put high-priority requests
// newest first (`this.waiting.splice(at < 0 ? … : at, 0, seq)` → `this.waiting.unshift(seq)`).
test('the local queue puts high-priority requests behind earlier high ones, ahead of normal ones', (t) => {
  const order = (flag: boolean): number[] => {
    const e = engine({ high_priority_first: flag });
    for (const r of [request(0, 16), request(1, 16, 'high'), request(2, 16), request(3, 16, 'high'), request(4, 16)]) e.enqueue(r);
    return ids(e.waiting);
  };
  t.deepEqual(order(true), [1, 3, 0, 2, 4]);
  t.deepEqual(order(false), [0, 1, 2, 3, 4]);
});

/**
 * Watches every iteration of a run through the instances' `current` plan and checks, per
 * request: the iterations it took part in = the tokens it generated (at the start of each of
 * its iterations, and at the end); at the start of each iteration it holds exactly
 * ceil(length / block) blocks (its KV cache plus the slot of the token this iteration writes);
 * and no instance keeps blocks reserved for, or requests suspended by, a migration that is no
 * longer in flight.
 */
function engineWatcher(block: number) {
  // An iteration is named by its instance and the steps that instance ended before it (an
  // engine refills one plan object every step, so the plan's identity names no iteration).
  const seenIterations = new Set<string>();
  const steps = new Map<number, number>();
  const problems: string[] = [];
  return {
    problems,
    steps,
    after(cluster: SimCluster): void {
      for (const instance of cluster.instances) {
        const plan = instance.current;
        const iteration = `${instance.id}:${instance.steps}`;
        if (plan !== undefined && !seenIterations.has(iteration)) {
          seenIterations.add(iteration);
          for (const r of planSequences(plan)) {
            const before = steps.get(r.id) ?? 0;
            if (r.generated !== before) problems.push(`request ${r.id} starts an iteration with ${r.generated} tokens after ${before} iterations`);
            steps.set(r.id, before + 1);
            const need = Math.ceil(r.length / block);
            if (r.blocks !== need) problems.push(`request ${r.id} holds ${r.blocks} blocks, needs ${need} (length ${r.length})`);
          }
        }
        const e = instance.engine;
        if (instance.migrations_in === 0 && e.reserved_blocks !== 0) problems.push(`instance ${instance.id}: ${e.reserved_blocks} blocks reserved, no migration in`);
        const suspended = e.snapshot().suspended;
        if (instance.migrations_out === 0 && suspended !== 0) problems.push(`instance ${instance.id}: ${suspended} requests suspended, no migration out`);
        if (problems.length > 20) throw new Error(problems.join('\n'));
      }
    },
  };
}

// Mutations: a token at migration COMMIT (sim/migration/live-migration.ts, commit(): add
// `r.emitToken(this.ctx.sim.now_s);`); a leaked abort reservation (live-migration.ts, abort():
// drop `this.dst.engine.releaseReservation(this.#reserved);`, which keeps the block refcounts
// balanced); a block taken at every decode (engine/vllm-v0.ts, reserveDecodeSlots: `if
// (Math.ceil(…) > seq.block_table.length)` → `if (true)`).
for (const seed of [1, 2]) {
  test(`randomized run (seed ${seed}): iterations = tokens per request, exact block holdings, no leaked reservation`, (t) => {
    const config = parseRunConfig({
      name: 'v0-rules',
      seed,
      cluster: { instances: 4, total_blocks: 120, max_num_batched_tokens: 2048 },
      migration: { max_stages: 3 },
      scheduler: { dispatch: { kind: 'load' }, pairing: { kind: 'defrag', migrate_threshold: 3 }, selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 } },
      workload: {
        num_requests: 300,
        arrival: { kind: 'gamma', rate_per_s: 8, cv: 3 },
        lengths: { prompt: { kind: 'zipf', mean_tokens: 128, range_tokens: 1024 }, output: { kind: 'zipf', mean_tokens: 128, range_tokens: 512 } },
      },
    });
    const watcher = engineWatcher(config.cluster.block_size_tokens);
    let last: SimCluster | undefined;
    const result = simulate(config, {
      checkInvariants: true,
      afterEvent: (cluster) => {
        watcher.after(cluster);
        last = cluster;
      },
    });
    t.deepEqual(watcher.problems, []);
    for (const r of result.requests) t.is(watcher.steps.get(r.id) ?? 0, r.generated, `request ${r.id}: iterations vs tokens`);
    for (const instance of last?.instances ?? []) t.is(instance.engine.free_blocks, config.cluster.total_blocks, `instance ${instance.id} ends empty`);
    // The run must exercise what it checks.
    t.true(result.migrations.some((m) => m.status === 'committed'), 'a migration committed');
    t.true(result.migrations.some((m) => m.status === 'aborted' && m.blocks_copied > 0), 'a migration aborted after reserving blocks');
    t.true(result.requests.some((r) => r.preemptions > 0), 'a request was preempted');
  });
}
