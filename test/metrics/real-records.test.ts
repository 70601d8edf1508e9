import test from 'ava';
import { migrationRecord } from '../../backend/manager/fleet-records.ts';
import type { MigrationRecord as FleetMigration } from '../../backend/manager/fleet.ts';
import { requestRecord as replayRecord } from '../../fidelity/real-run.ts';
import { benchRecords, requestRecord as benchRecord } from '../../loadgen/fleetlab-results.ts';
import type { RequestOutput } from '../../loadgen/index.ts';
import { BenchServeOptionsSchema } from '../../loadgen/index.ts';
import { summarize } from '../../metrics/index.ts';

// The real backend's side of issue 9 §4: what it measures becomes the same neutral records.

const reply = (outcome: FleetMigration['outcome']): FleetMigration => ({
  outcome, request_id: 'fidelity-7', stages: 2, blocks: 12, downtime_ms: 30, total_ms: 500, detail: '', from: 1, to: 0, started_s: 10, ended_s: 10.5,
});

test('a fleet migration becomes a MigrationRecord on the run clock, with the simulator abort reasons', (t) => {
  const m = migrationRecord(reply('committed'), 3, 4, (id) => Number(id.split('-')[1]));
  t.deepEqual(m, { id: 3, request: 7, from: 1, to: 0, started_s: 6, ended_s: 6.5, status: 'committed', reason: undefined, stages: 2, blocks_copied: 12, downtime_s: 0.03 });
  t.like(migrationRecord(reply('aborted-dst-no-memory'), 0, 0, () => -1), { status: 'aborted', reason: 'dst-no-memory', request: -1 });
  t.like(migrationRecord(reply('aborted-max-stages'), 0, 0, () => -1), { status: 'aborted', reason: 'max-stages' });
  t.like(migrationRecord(reply('aborted-dst-failed'), 0, 0, () => -1), { status: 'aborted', reason: undefined });
});

test('a replayed request: latencies as the client timed them', (t) => {
  const r = replayRecord({ index: 2, sent_s: 1, ttft_s: 0.5, e2e_s: 2.5, tpot_s: 0.5, itl_s: [], output_tokens: 5, dispatch_s: 0.001, delivery_s: 0.0005 }, { arrival_s: 1, prompt_tokens: 40, output_tokens: 5 });
  t.like(r, { id: 2, arrival_s: 1, first_token_s: 1.5, last_token_s: 3.5, finish_s: 3.5, prompt_tokens: 40, output_tokens: 5 });
});

test('bench serve: failed requests count as rejected with their error; the rest summarise as vLLM does', (t) => {
  const ok = (start_s: number): RequestOutput => ({ success: true, error: '', generated_text: 'x', prompt_len: 10, output_tokens: 3, start_s, ttft_s: 0.2, itl_s: [0.1, 0.1], latency_s: 0.4 });
  const failed: RequestOutput = { ...ok(0.5), success: false, error: 'HTTP 503', output_tokens: 0 };
  t.like(benchRecord(failed, 1), { rejected: 'HTTP 503', finish_s: undefined });
  const o = BenchServeOptionsSchema.parse({ model: 'm' });
  const records = benchRecords(o, 'b', { kind: 'bench-serve' }, [ok(0), failed, ok(1)], 2);
  const { summary, rows } = summarize(records);
  t.like(summary, { system: 'real:m', submitted: 3, rejected: 1, requests: 2, makespan_s: 2, throughput_req_per_s: 1 });
  t.true(summary.not_measured?.includes('preemptions'));
  t.deepEqual(rows.map((r) => r.request_id), [0, 2]);
  // TPOT: (latency − TTFT) / (tokens − 1), as vLLM.
  t.true(rows.every((r) => Math.abs(r.decode_latency_s - 0.1) < 1e-12 && Math.abs(r.prefill_latency_s - 0.2) < 1e-12));
});
