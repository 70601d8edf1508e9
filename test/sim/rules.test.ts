/**
 * vLLM 0.1.7 / Llumnix rules of the simulator, each observed from outside the engine: request
 * timestamps, token counts, kill records and the reports the policies see. Every test names
 * the one-line mutation it was checked against (applied by hand, the test failed, reverted).
 */
import test from 'ava';
import type { RequestSpec } from '../../traces/index.ts';
import { parseRunConfig, simulate, type SimCluster, type SimRequest } from '../../sim/index.ts';
import { makeCluster, pinnedScheduler, spec } from './helpers.ts';

const high = (id: number, arrival_s: number, prompt: number, output: number): RequestSpec => ({
  ...spec(id, arrival_s, prompt, output),
  priority: 'high',
});

/** Runs a one-instance cluster (all requests pinned to it) to the end. */
function runOne(workload: RequestSpec[], limits: Parameters<typeof makeCluster>[0]['limits'] = {}, afterEach?: (c: SimCluster) => void) {
  const { sim, cluster } = makeCluster({ instances: 1, limits, scheduler: pinnedScheduler(() => 0) });
  cluster.load(workload);
  sim.run({ afterEach: () => afterEach?.(cluster) });
  return cluster;
}

const byId = (cluster: SimCluster, id: number): SimRequest => {
  const r = cluster.requests.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no request ${id}`);
  return r;
};

// Mutations: ignore `high_priority_first` (FIFO) → B, C, H1, H2; insert high-priority requests
// at the very front (`unshift`) → H2 before H1.
test('local priority queue: high-priority requests wait ahead of normal ones, FIFO among themselves', (t) => {
  // A holds 60 of 100 blocks until it finishes; every later request needs 50, so they are
  // admitted one at a time, in queue order.
  const workload = [spec(0, 0, 960, 20), spec(1, 0.001, 800, 10), spec(2, 0.002, 800, 10), high(3, 0.003, 800, 10), high(4, 0.004, 800, 10)];
  const admissionOrder = (flag: boolean): number[] => {
    const cluster = runOne(workload, { high_priority_first: flag });
    return [1, 2, 3, 4].sort((a, b) => (byId(cluster, a).first_scheduled_s ?? 0) - (byId(cluster, b).first_scheduled_s ?? 0));
  };
  t.deepEqual(admissionOrder(true), [3, 4, 1, 2]);
  // The OSDI'24 artifact's queue (flag off) is plain FIFO.
  t.deepEqual(admissionOrder(false), [1, 2, 3, 4]);
});

// vLLM 0.1.7 `can_append_slot`: a running request needs one free block to be scheduled for
// decode even when its next token fits its last block; the block is taken only when needed.
// Mutation 1: ask for a free block only when a new block is needed (`if (need) while (free < 1)`)
//   → B is not preempted at its first decode but after 9 tokens.
// Mutation 2: take a block at every decode (`if (true) { free--; blocks++ }`)
//   → in the 101-block case B is preempted after 1 token instead of 9.
test('decode needs one free block per running request, and takes one only at a block boundary', (t) => {
  // Two 792-token prompts: 50 blocks each (the 50th half full), all 100 blocks used.
  const full = runOne([spec(0, 0, 792, 20), spec(1, 0, 792, 20)], { total_blocks: 100, watermark_blocks: 0 });
  const b = byId(full, 1);
  t.is(byId(full, 0).preemptions, 0);
  t.is(b.recomputes[0]?.kill.output_tokens, 1, 'B is preempted at the first decode, with no block needed');
  t.is(b.recomputes[0]?.kill.killed_s, byId(full, 0).first_token_s);
  // One spare block: both decode until length 801 (9 tokens), where A takes the spare block.
  const spare = runOne([spec(0, 0, 792, 20), spec(1, 0, 792, 20)], { total_blocks: 101, watermark_blocks: 0 });
  t.is(byId(spare, 0).preemptions, 0);
  t.is(byId(spare, 1).recomputes[0]?.kill.output_tokens, 9);
  for (const r of [...full.requests, ...spare.requests]) t.is(r.generated, 20);
});

/**
 * Classifies each event's token emissions: a prefill produces a request's first token (or the
 * first after a recompute); a decode produces the others. One iteration is prefill-only or
 * decode-only (vLLM 0.1.7), so no event mixes the two, and no request gains two tokens at once.
 */
function tokenChecker() {
  const seen = new Map<number, { generated: number; recomputes: number }>();
  const problems: string[] = [];
  let prefillEvents = 0;
  let decodeEvents = 0;
  return {
    problems,
    counts: () => ({ prefillEvents, decodeEvents }),
    after(cluster: SimCluster): void {
      const kinds = new Set<string>();
      for (const r of cluster.requests) {
        const before = seen.get(r.id) ?? { generated: 0, recomputes: 0 };
        const gained = r.generated - before.generated;
        if (gained > 1) problems.push(`request ${r.id} gained ${gained} tokens in one event`);
        if (gained === 1) kinds.add(before.generated === 0 || r.recomputes.length > before.recomputes ? 'prefill' : 'decode');
        seen.set(r.id, { generated: r.generated, recomputes: r.recomputes.length });
      }
      if (kinds.size > 1) problems.push(`t=${cluster.sim.now_s}: prefill and decode tokens in one event`);
      if (kinds.has('prefill')) prefillEvents++;
      if (kinds.has('decode')) decodeEvents++;
    },
  };
}

// Mutation: a prefill iteration also advances the running requests
// (`batch: this.running.slice()` for the prefill plan) → A gains a token when B's prefill ends.
test('a prefill-only iteration does not advance the running requests', (t) => {
  const checker = tokenChecker();
  let aAtBAdmission: number | undefined;
  let aAtBFirstToken: number | undefined;
  const cluster = runOne([spec(0, 0, 100, 50), spec(1, 0.3, 1000, 5)], {}, (c) => {
    checker.after(c);
    const [a, b] = [c.requests[0], c.requests[1]];
    if (a === undefined || b === undefined) return;
    if (b.first_scheduled_s !== undefined && aAtBAdmission === undefined) aAtBAdmission = a.generated;
    if (b.generated === 1 && aAtBFirstToken === undefined) aAtBFirstToken = a.generated;
  });
  t.deepEqual(checker.problems, []);
  t.true((aAtBAdmission ?? 0) > 1, 'B arrived while A was decoding');
  t.is(aAtBFirstToken, aAtBAdmission, "A's count did not move during B's prefill");
  t.is(byId(cluster, 0).generated, 50);
});

test('randomized runs: no event mixes prefill and decode tokens, none emits two tokens for one request', (t) => {
  for (const seed of [4, 5]) {
    const checker = tokenChecker();
    const result = simulate(
      parseRunConfig({
        name: 'token-kinds',
        seed,
        cluster: { instances: 2, total_blocks: 120, max_num_batched_tokens: 2048 },
        scheduler: { dispatch: { kind: 'load' }, pairing: { kind: 'defrag', migrate_threshold: 3 }, selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 } },
        workload: {
          num_requests: 150,
          arrival: { kind: 'gamma', rate_per_s: 8, cv: 3 },
          lengths: { prompt: { kind: 'zipf', mean_tokens: 128, range_tokens: 1024 }, output: { kind: 'zipf', mean_tokens: 128, range_tokens: 512 } },
        },
      }),
      { afterEvent: (c) => checker.after(c) },
    );
    t.deepEqual(checker.problems, [], `seed ${seed}`);
    const { prefillEvents, decodeEvents } = checker.counts();
    t.true(prefillEvents > 50 && decodeEvents > 1000, `seed ${seed}: ${prefillEvents} prefill, ${decodeEvents} decode events`);
    t.true(result.requests.some((r) => r.preemptions > 0), `seed ${seed}: the run must include recomputes`);
  }
});

// Mutations: `head.length / block` → `Math.ceil(head.length / block)` (or round / floor) in
// the instance report; the same for the all-waiting sum.
test('queued demand in reports is a float: h = tokens of the head waiting request / block size', (t) => {
  // A holds 90 of 100 blocks; B (170 tokens) and C (33 tokens) wait behind it.
  const reports: { head: number; all: number }[] = [];
  runOne([spec(0, 0, 1440, 10), spec(1, 0.001, 170, 5), spec(2, 0.002, 33, 5)], {}, (c) => {
    const r = c.view().instances[0];
    if (r !== undefined && r.waiting === 2) reports.push({ head: r.head_waiting_blocks, all: r.all_waiting_blocks });
  });
  t.true(reports.length > 0, 'a report was published while both waited');
  for (const r of reports) t.deepEqual(r, { head: 170 / 16, all: 203 / 16 });
});

// Mutations: `need > total − W` → `need >= total − W`; the need computed from the prompt alone
// (`Math.ceil(spec.prompt_tokens / block)`); `prompt_tokens > max_num_batched_tokens` → `>=` or
// dropped.
test('rejection at arrival: a request that can never fit one instance is rejected, with its reason', (t) => {
  // total 100, watermark 1: a request may need at most 99 blocks = 1584 tokens (prompt + output).
  // 0: exactly 99 blocks, served. 1: 1585 tokens = 100 blocks. 2: a short prompt whose output
  // needs 100 blocks. 3: served after 0.
  const cluster = runOne([spec(0, 0, 1500, 84), spec(1, 0, 1500, 85), spec(2, 0, 16, 1584), spec(3, 0, 16, 16)]);
  t.deepEqual(cluster.rejections.map((r) => r.request), [1, 2]);
  t.regex(cluster.rejections[0]?.reason ?? '', /needs 100 blocks \/ 1500 prompt tokens, beyond one instance/);
  for (const id of [1, 2]) {
    const r = byId(cluster, id);
    t.is(r.generated, 0);
    t.is(r.first_scheduled_s, undefined, 'a rejected request never reaches an engine');
  }
  t.is(byId(cluster, 0).generated, 84);
  t.is(byId(cluster, 3).generated, 16);
  t.is(cluster.finished, 4);

  // A prompt longer than one prefill batch (max_num_batched_tokens) can never be admitted.
  const budget = runOne([spec(0, 0, 1001, 1), spec(1, 0, 1000, 1)], { max_num_batched_tokens: 1000 });
  t.deepEqual(budget.rejections.map((r) => r.request), [0]);
  t.is(byId(budget, 1).generated, 1);
});
