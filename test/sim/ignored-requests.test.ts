import test from 'ava';
import { findPreset } from '../../artifact/presets.ts';
import { summaryOf } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

// A token cap below the KV capacity: a preempted request can grow past it and never be
// re-admitted. Before the engine dropped such requests this run never ended (its instance
// stalled with the request at the head of its queue; the simulator failed at time Infinity).
function tightRun() {
  const preset = findPreset('llumnix-fig11/ShareGPT/llumnix') as Record<string, any>;
  return parseRunConfig({
    ...preset,
    cluster: { ...preset['cluster'], instances: 2, total_blocks: 150, max_num_batched_tokens: 1024 },
    workload: { ...preset['workload'], num_requests: 1500 },
  });
}

test('a preempted request grown past max_num_batched_tokens is dropped as ignored, recorded with its reason, and the run ends', (t) => {
  const result = simulate(tightRun(), { keepRequests: true });
  const summary = summaryOf(result.records);
  const ignored = [...result.records.requests].filter((r) => r.rejected?.startsWith('ignored at the head of the queue:'));
  t.true(ignored.length > 0, 'the tight cap made some preempted request too long');
  for (const r of ignored) {
    t.true(r.instance >= 0, 'it was served somewhere before it was dropped');
    t.true(r.prompt_tokens + r.output_tokens > 1024, `request ${r.id}: ${r.prompt_tokens} + ${r.output_tokens} tokens`);
    t.true(r.preemptions > 0);
    t.regex(r.rejected as string, /exceed max_num_batched_tokens 1024$/);
  }
  t.is(summary.requests + summary.rejected, 1500, 'every request either finished or is counted as rejected');
  t.true(Object.keys(summary.rejected_by_reason ?? {}).some((reason) => reason.startsWith('ignored at the head of the queue: # tokens')));
  t.true(Number.isFinite(summary.makespan_s));
});
