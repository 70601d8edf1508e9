// The contention split: which steps ran while another instance stepped, and how their measured
// time compares with the table's price.
import test from 'ava';
import { measureContention } from '../../fidelity/contention.ts';
import { overlapFractions } from '../../fidelity/step-overlap.ts';
import type { ReplayStep } from '../../fidelity/real-run.ts';
import type { PerfModel } from '../../sim/perf/index.ts';

function decode(instance: number, started_unix_ms: number, step_ms: number): ReplayStep {
  return {
    instance, step: 0, prefill_seqs: 0, prefill_tokens: 0, decode_seqs: 1, decode_context_tokens: 10,
    context_tokens: 10, preempted: 0, forward_ms: step_ms, step_ms, started_unix_ms,
  };
}

/** Every step priced 2 ms. */
const flat: PerfModel = { name: 'flat', step_ms: () => 2, prefill_ms: () => 2, decode_ms: () => 2 };

test('overlap is the fraction of a step during which another instance stepped, summed over that instance\'s steps', (t) => {
  const steps = [
    decode(0, 0, 10), // instance 1 steps over 2–4 and 6–9: 5 of 10 ms
    decode(1, 2, 2),
    decode(1, 6, 3),
    decode(0, 20, 4), // nobody else
    decode(1, 30, 2),
    decode(0, 29, 4), // 30–32 of 29–33
  ];
  t.deepEqual(overlapFractions(steps), [0.5, 1, 1, 0, 1, 0.5]);
});

test('steps mostly overlapped are compared with their price apart from the others', (t) => {
  const steps = [decode(0, 0, 8), decode(1, 1, 6), decode(0, 20, 2), decode(1, 40, 3)];
  const c = measureContention(flat, steps);
  // Concurrent: 6 ms (wholly inside the other) ; instance 0's first step is overlapped 6 of 8 ms.
  t.deepEqual(c.concurrent, { steps: 2, measured_over_priced: (8 + 6) / 4 });
  t.deepEqual(c.alone, { steps: 2, measured_over_priced: (2 + 3) / 4 });
  // By the model's condition: only instance 1's first step started while instance 0 was mid-step.
  t.deepEqual(c.by_level, [{ others: 0, steps: 3, measured_over_priced: (8 + 2 + 3) / 6 }, { others: 1, steps: 1, measured_over_priced: 6 / 2 }]);
});

test('with contention factors the price of a step includes its level\'s factor', (t) => {
  const steps = [decode(0, 0, 8), decode(1, 1, 6), decode(0, 20, 2), decode(1, 40, 3)];
  const c = measureContention(flat, steps, [1, 3]);
  t.deepEqual(c.by_level[1], { others: 1, steps: 1, measured_over_priced: 6 / 6 });
  t.deepEqual(c.concurrent, { steps: 2, measured_over_priced: (8 + 6) / (2 + 6) });
});
