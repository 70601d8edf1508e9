import test from 'ava';
import type { LatencySummary, RunSummary } from '../../metrics/index.ts';
import { fig11Claims } from '../../artifact/llumnix/fig11-serving/claims.ts';
import { fig13Claims } from '../../artifact/llumnix/fig13-priorities/claims.ts';
import { fig14Claims } from '../../artifact/llumnix/fig14-autoscaling/claims.ts';
import { costSavingAtEqualLatency } from '../../artifact/llumnix/fig15-threshold/cost-at-equal-latency.ts';
import { claimRecords } from '../../artifact/llumnix/claim-format.ts';

const dist = (mean: number, p99: number) => ({ mean, p50: mean, p99 });
/** A hand-made summary: latencies as given, everything else zero. */
function summary(o: { request?: number; prefill_p99: number; prefill_mean?: number; decode_p99?: number; loss?: number; instances?: number }): RunSummary {
  const lat: LatencySummary = {
    requests: 100,
    request_latency_s: dist(o.request ?? 10, (o.request ?? 10) * 2),
    prefill_latency_s: dist(o.prefill_mean ?? o.prefill_p99 / 4, o.prefill_p99),
    decode_latency_s: dist(0.05, o.decode_p99 ?? 0.1),
    execution_s: dist(5, 9),
  };
  return { ...lat, preemption_loss_s: o.loss ?? 0, avg_instances_time_weighted: o.instances ?? 16 } as unknown as RunSummary;
}

const claim = (claims: readonly { id: string; ours: number | undefined }[], id: string) => claims.find((c) => c.id === id)?.ours;

test('Fig. 11: up-to ratios are max over points, preemption reductions are means over points', (t) => {
  const points = [
    { trace: 'M-M', rate: 1, system: 'INFaaS++', summary: summary({ prefill_p99: 4, loss: 1 }) },
    { trace: 'M-M', rate: 1, system: 'Llumnix', summary: summary({ prefill_p99: 2, loss: 0.5 }) },
    { trace: 'L-L', rate: 2, system: 'INFaaS++', summary: summary({ prefill_p99: 3, loss: 2 }) },
    { trace: 'L-L', rate: 2, system: 'Llumnix', summary: summary({ prefill_p99: 6, loss: 0 }) },
    { trace: 'ShareGPT', rate: 7, system: 'Round-Robin', summary: summary({ prefill_p99: 30, request: 20 }) },
    { trace: 'ShareGPT', rate: 7, system: 'INFaaS++', summary: summary({ prefill_p99: 3 }) },
    { trace: 'ShareGPT', rate: 7, system: 'Llumnix', summary: summary({ prefill_p99: 1.5, request: 10 }) },
  ];
  const claims = fig11Claims(points);
  t.is(claim(claims, 'generated.infaas.prefill_p99.up_to'), Math.max(4 / 2, 3 / 6));
  t.is(claim(claims, 'generated.infaas.preemption_loss.mean_reduction'), (((1 - 0.5) / 1 + (2 - 0) / 2) / 2) * 100);
  t.is(claim(claims, 'generated.infaas.preemption_loss.mean_abs_reduction'), (0.5 + 2) / 2);
  t.is(claim(claims, 'real.rr.prefill_p99.up_to'), 30 / 1.5);
  t.is(claim(claims, 'real.rr.request_mean.up_to'), 20 / 10);
  t.is(claim(claims, 'real.infaas.prefill_p99.up_to'), 3 / 1.5);
  // RR has no preemption here: a zero baseline gives no relative reduction rather than NaN.
  t.is(claim(claims, 'real.rr.preemption_loss.mean_reduction'), undefined);
  t.is(claim(claims, 'all.infaas.prefill_p99.win_share'), (2 / 3) * 100);
  t.is(claims.find((c) => c.id === 'generated.infaas.prefill_p99.up_to')?.paper, 14.8);
  // The record beside the paper: ours 2×, paper 14.8×, ratio 2 / 14.8, judged by the one rule.
  const record = claimRecords('fig11', claims).find((c) => c.id === 'generated.infaas.prefill_p99.up_to');
  t.is(record?.paper, 14.8);
  t.true(Math.abs((record?.ratio ?? 0) - 2 / 14.8) < 1e-12);
  t.is(record?.verdict, 'partly');
  t.deepEqual(record?.points, ['M-M@1', 'L-L@2']);
});

test('Fig. 13: high = base / Llumnix (range over CVs), normal = Llumnix / base − 1 (largest)', (t) => {
  const lat = (p99: number) => summary({ prefill_p99: p99 }) as LatencySummary;
  const high = [
    { key: '2', base: lat(4), ours: lat(2) },
    { key: '8', base: lat(9), ours: lat(1) },
  ];
  const normal = [
    { key: '2', base: lat(2), ours: lat(2.2) },
    { key: '8', base: lat(4), ours: lat(4.2) },
  ];
  const claims = fig13Claims(high, normal);
  t.is(claim(claims, 'high.prefill_p99.min'), 2);
  t.is(claim(claims, 'high.prefill_p99.max'), 9);
  t.true(Math.abs((claim(claims, 'normal.prefill_p99.max_increase') ?? 0) - 10) < 1e-9);
});

test('Fig. 14: cost saving is base / Llumnix − 1, max over points; Fig. 15 interpolates at equal latency', (t) => {
  const pairs = [
    { key: '2', base: summary({ prefill_p99: 10, instances: 12 }), ours: summary({ prefill_p99: 2, instances: 10 }) },
    { key: '3', base: summary({ prefill_p99: 6, instances: 9 }), ours: summary({ prefill_p99: 3, instances: 6 }) },
  ];
  const claims = fig14Claims([{ row: 'poisson', label: 'Poisson', pairs }]);
  t.is(claim(claims, 'poisson.prefill_p99.up_to'), 5);
  t.true(Math.abs((claim(claims, 'poisson.cost_saving') ?? 0) - 50) < 1e-9);
  t.is(claim(claims, 'poisson.fewer_instances_share'), 100);
  // Base needs 10 instances at 2 s and 6 at 4 s; Llumnix 5 and 3: saving 100 % everywhere.
  const base = [{ instances: 10, p99_prefill_s: 2 }, { instances: 6, p99_prefill_s: 4 }];
  const ours = [{ instances: 5, p99_prefill_s: 2 }, { instances: 3, p99_prefill_s: 4 }];
  t.true(Math.abs((costSavingAtEqualLatency(base, ours) ?? 0) - 100) < 1e-9);
  t.is(costSavingAtEqualLatency(base, [{ instances: 1, p99_prefill_s: 9 }, { instances: 2, p99_prefill_s: 10 }]), undefined);
});
