import test from 'ava';
import { type EngineCore, VllmV0Scheduler, VllmV1Scheduler } from '../../engine/index.ts';
import { NONE } from '../../engine/none.ts';
import { LIMITS, stopAtOutput, TestSeq } from './helpers.ts';

// Plans and outcomes share one empty list and reuse one decode entry per sequence (no
// allocation per token); what each plan says must be exactly what a fresh object would say.
for (const kind of ['vllm-v0', 'vllm-v1'] as const) {
  test(`${kind}: decode entries are reused per sequence, carry each step's context, and the shared empty list stays empty`, (t) => {
    const e: EngineCore<TestSeq> = kind === 'vllm-v0' ? new VllmV0Scheduler<TestSeq>({ ...LIMITS }) : new VllmV1Scheduler<TestSeq>({ ...LIMITS, watermark_blocks: 0 });
    const a = new TestSeq(0, 20, 6);
    const b = new TestSeq(1, 40, 3);
    e.enqueue(a);
    e.enqueue(b);
    const entries = new Map<number, unknown>();
    let steps = 0;
    while (!e.idle) {
      const plan = e.schedule();
      if (plan === undefined) break;
      steps++;
      for (const d of plan.decodes) {
        // The context a fresh entry would have been given: the sequence's tokens after this step.
        t.is(d.context_tokens, d.seq.num_tokens, `step ${steps}: seq ${d.seq.id}`);
        const first = entries.get(d.seq.id);
        if (first === undefined) entries.set(d.seq.id, d);
        else t.is(d as unknown, first, `step ${steps}: seq ${d.seq.id} got a new decode entry`);
      }
      e.update(plan, stopAtOutput);
      t.is(NONE.length, 0);
    }
    t.is(a.generated, 6);
    t.is(b.generated, 3);
    t.deepEqual([...entries.keys()].sort(), [0, 1]);
    t.true(steps >= 6);
  });
}

test('vllm-v0 under memory pressure: preemptions get their own list, the shared empty list stays empty', (t) => {
  // 8 blocks, watermark 1: three 40-token prompts fit, and their decodes soon run out of blocks.
  const e = new VllmV0Scheduler<TestSeq>({ ...LIMITS, total_blocks: 10, watermark_blocks: 1 });
  for (let id = 0; id < 3; id++) e.enqueue(new TestSeq(id, 40, 30));
  const preempted: number[] = [];
  for (let step = 0; step < 500 && !e.idle; step++) {
    const plan = e.schedule();
    if (plan === undefined) break;
    if (plan.preempted.length > 0) {
      t.not(plan.preempted, NONE as unknown);
      preempted.push(...plan.preempted.map((s) => s.id));
    }
    const outcome = e.update(plan, stopAtOutput);
    if (outcome.finished.length > 0) t.not(outcome.finished, NONE as unknown);
    t.is(NONE.length, 0);
  }
  t.true(e.idle);
  t.true(preempted.length > 0, 'the scenario must preempt');
});
