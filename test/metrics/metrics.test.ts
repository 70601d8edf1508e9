import test from 'ava';
import { artifactPreemptionLoss, describe, requestMetrics } from '../../metrics/index.ts';
import { fittedPerfModel, LLAMA_7B_A10, requestRecord, SimRequest } from '../../sim/index.ts';

test('P99 and P50 interpolate linearly between order statistics, as numpy.percentile', (t) => {
  // numpy.percentile(range(1, 101), 99) = 99.01; of [1, 2, 3, 4] the median is 2.5.
  t.deepEqual(describe(Array.from({ length: 100 }, (_, i) => i + 1)), { mean: 50.5, p50: 50.5, p99: 99.01 });
  t.deepEqual(describe([4, 1, 3, 2]), { mean: 2.5, p50: 2.5, p99: 3.97 });
  t.deepEqual(describe([]), { mean: 0, p50: 0, p99: 0 });
});

const perf = fittedPerfModel('7b', LLAMA_7B_A10);

function finished(): SimRequest {
  const r = new SimRequest({ id: 3, arrival_s: 1, prompt_tokens: 100, output_tokens: 4, priority: 'normal' });
  r.instance = 0;
  r.first_scheduled_s = 1.5;
  for (const time of [2, 2.1, 2.3, 2.6]) r.emitToken(time);
  r.finish_s = 2.6;
  return r;
}

test('per-request latencies follow Llumnix: prefill = first token − arrival, decode = mean gap after it', (t) => {
  const m = requestMetrics(requestRecord(finished()), perf);
  t.is(m?.request_latency_s, 1.6);
  t.is(m?.prefill_latency_s, 1);
  t.true(Math.abs((m?.decode_latency_s ?? 0) - 0.2) < 1e-12);
  const unfinished = new SimRequest({ id: 4, arrival_s: 0, prompt_tokens: 1, output_tokens: 1, priority: 'normal' });
  t.is(requestMetrics(requestRecord(unfinished), perf), undefined);
});

test('preemption loss: the artifact formula (wait + prefill(pad8(n)) − decode(8, n)) and the stall time', (t) => {
  const r = finished();
  r.recomputes.push({ kill: { killed_s: 2.1, output_tokens: 2 }, readmit_s: 2.2, end_s: 2.25 });
  // n = 2: prefill(8) < decode(8, 2), so the compute term is floored at 0 (never a negative loss).
  t.true(perf.prefill_ms([8]) < perf.decode_ms(8, 2));
  t.true(Math.abs(artifactPreemptionLoss(requestRecord(r), perf) - 0.1) < 1e-12);
  const long = finished();
  long.recomputes.push({ kill: { killed_s: 2.1, output_tokens: 1000 }, readmit_s: 2.2, end_s: 2.25 });
  const expected = 0.1 + (perf.prefill_ms([1000]) - perf.decode_ms(8, 1000)) / 1e3;
  t.true(expected > 0.1);
  t.true(Math.abs(artifactPreemptionLoss(requestRecord(long), perf) - expected) < 1e-12);
  t.true(Math.abs((requestMetrics(requestRecord(r), perf)?.preemption_stall_s ?? 0) - 0.15) < 1e-12);
});

test('a preempted request without a preemption cost model is an error naming the request', (t) => {
  const r = finished();
  r.recomputes.push({ kill: { killed_s: 2.1, output_tokens: 2 }, readmit_s: 2.2, end_s: 2.25 });
  t.throws(() => requestMetrics(requestRecord(r), undefined), { message: /request 3 was preempted, but the run has no preemption_cost/ });
  t.is(requestMetrics(requestRecord(finished()), undefined)?.preemption_loss_s, 0);
});
