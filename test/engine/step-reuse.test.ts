import test from 'ava';
import { type EngineCore, VllmV0Scheduler, VllmV1Scheduler } from '../../engine/index.ts';
import { LIMITS, stopAtOutput, TestSeq } from './helpers.ts';

// Each engine hands out one plan and one outcome, refilled at every step, and reuses one decode
// entry per sequence (no allocation per step or token); what each plan says must be exactly
// what a fresh object would say.
for (const kind of ['vllm-v0', 'vllm-v1'] as const) {
  test(`${kind}: one plan and one outcome per engine, refilled each step; decode entries are reused per sequence and carry each step's context`, (t) => {
    const e: EngineCore<TestSeq> = kind === 'vllm-v0' ? new VllmV0Scheduler<TestSeq>({ ...LIMITS }) : new VllmV1Scheduler<TestSeq>({ ...LIMITS, watermark_blocks: 0 });
    const a = new TestSeq(0, 20, 6);
    const b = new TestSeq(1, 40, 3);
    e.enqueue(a);
    e.enqueue(b);
    const entries = new Map<number, unknown>();
    const plans = new Set<unknown>();
    const outcomes = new Set<unknown>();
    let steps = 0;
    while (!e.idle) {
      const plan = e.schedule();
      if (plan === undefined) break;
      plans.add(plan);
      steps++;
      // What a fresh plan would list: the running sequences, each once, in the running order.
      t.deepEqual([...plan.prefills.map((p) => p.seq.id), ...plan.decodes.map((d) => d.seq.id)], e.running.map((s) => s.id), `step ${steps}`);
      for (const d of plan.decodes) {
        // The context a fresh entry would have been given: the sequence's tokens after this step.
        t.is(d.context_tokens, d.seq.num_tokens, `step ${steps}: seq ${d.seq.id}`);
        t.is(d as unknown, d.seq, `step ${steps}: seq ${d.seq.id} is its own decode entry (one hop from the batch)`);
        const first = entries.get(d.seq.id);
        if (first === undefined) entries.set(d.seq.id, d);
        else t.is(d as unknown, first, `step ${steps}: seq ${d.seq.id} got a new decode entry`);
      }
      const before = new Map([...plan.prefills.map((p) => p.seq), ...plan.decodes.map((d) => d.seq)].map((s) => [s.id, s.generated]));
      const outcome = e.update(plan, stopAtOutput);
      outcomes.add(outcome);
      // Exactly the sequences that produced a token this step, and the finished ones among them.
      t.deepEqual(outcome.emitted.map((s) => s.id), [...before].filter(([id, g]) => (id === a.id ? a : b).generated === g + 1).map(([id]) => id), `step ${steps}`);
      t.deepEqual(outcome.finished.map((s) => s.id), outcome.emitted.filter((s) => s.status === 'finished').map((s) => s.id));
    }
    t.is(plans.size, 1, 'schedule() handed out a new plan object');
    t.is(outcomes.size, 1, 'update() handed out a new outcome object');
    t.is(a.generated, 6);
    t.is(b.generated, 3);
    t.deepEqual([...entries.keys()].sort(), [0, 1]);
    t.true(steps >= 6);
  });
}

test('vllm-v0 under memory pressure: preemptions are listed in the step that made them, and only there', (t) => {
  // 8 blocks, watermark 1: three 40-token prompts fit, and their decodes soon run out of blocks.
  const e = new VllmV0Scheduler<TestSeq>({ ...LIMITS, total_blocks: 10, watermark_blocks: 1 });
  for (let id = 0; id < 3; id++) e.enqueue(new TestSeq(id, 40, 30));
  const preempted: number[] = [];
  for (let step = 0; step < 500 && !e.idle; step++) {
    const killedBefore = e.killed;
    const plan = e.schedule();
    if (plan === undefined) break;
    // Every sequence listed as preempted is back in the queue now, and the list is this step's
    // alone (the buffer was emptied): its length is what this schedule() added to the count.
    for (const s of plan.preempted) t.is(s.status, 'waiting');
    if (plan.preempted.length > 0) t.is(plan.admitted.length, 0);
    t.true(e.killed - killedBefore <= plan.preempted.length);
    preempted.push(...plan.preempted.map((s) => s.id));
    e.update(plan, stopAtOutput);
  }
  t.true(e.idle);
  t.true(preempted.length > 0, 'the scenario must preempt');
});
