import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { StepBatch } from '../../engine/index.ts';
import { buildPerfModel, fittedPerfModel, LLAMA_7B_A10, ModelConfig, parseWith, tablePerfModel, withStepOverhead } from '../../sim/index.ts';

function profile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-overhead-'));
  const file = join(dir, 'profile.csv');
  writeFileSync(file, ['phase,batch_size,tokens,latency_ms', 'prefill,1,100,10', 'prefill,1,300,50', 'decode,1,0,20', 'decode,1,1000,30', 'decode,9,0,40', 'decode,9,1000,60'].join('\n'));
  return file;
}

const batches: StepBatch[] = [
  { prefills: [{ new_tokens: 200, context_tokens: 0 }], decodes: [] },
  { prefills: [], decodes: [{ context_tokens: 500 }, { context_tokens: 300 }] },
  { prefills: [{ new_tokens: 64, context_tokens: 128 }], decodes: [{ context_tokens: 700 }] },
];

test('step_overhead_ms adds once to every non-empty step, to prefill_ms and decode_ms, and never to an empty one', (t) => {
  const base = tablePerfModel('t', profile());
  const over = withStepOverhead(base, 3.5);
  for (const b of batches) t.is(over.step_ms(b), base.step_ms(b) + 3.5);
  t.is(over.prefill_ms([150, 50]), base.prefill_ms([150, 50]) + 3.5);
  t.is(over.decode_ms(5, 500), base.decode_ms(5, 500) + 3.5);
  t.is(over.step_ms({ prefills: [], decodes: [] }), 0);
});

test('step_overhead_ms 0 (or absent) returns the model itself: every price bit for bit', (t) => {
  const base = tablePerfModel('t', profile());
  t.is(withStepOverhead(base, 0), base);
  const file = profile();
  const absent = buildPerfModel(parseWith(ModelConfig, { perf: { kind: 'table', file } }), '/');
  const zero = buildPerfModel(parseWith(ModelConfig, { perf: { kind: 'table', file, step_overhead_ms: 0 } }), '/');
  const four = buildPerfModel(parseWith(ModelConfig, { perf: { kind: 'table', file, step_overhead_ms: 4 } }), '/');
  for (const b of batches) {
    t.is(absent.step_ms(b), base.step_ms(b));
    t.is(zero.step_ms(b), base.step_ms(b));
    t.is(four.step_ms(b), base.step_ms(b) + 4);
  }
  // The table config does not grow a defaulted field (config.json of existing runs is unchanged).
  t.false('step_overhead_ms' in parseWith(ModelConfig, { perf: { kind: 'table', file } }).perf);
});

test('fitted keeps its own step_overhead_ms (default 0): a 4 ms overhead shifts every non-empty step by 4 ms', (t) => {
  const zero = fittedPerfModel('f', LLAMA_7B_A10);
  const four = fittedPerfModel('f', { ...LLAMA_7B_A10, step_overhead_ms: 4 });
  for (const b of batches) t.true(Math.abs(four.step_ms(b) - zero.step_ms(b) - 4) < 1e-9);
  t.is(four.step_ms({ prefills: [], decodes: [] }), 0);
});

test('a negative step_overhead_ms is refused naming the field', (t) => {
  t.throws(() => parseWith(ModelConfig, { perf: { kind: 'table', file: 'x.csv', step_overhead_ms: -1 } }), { message: /step_overhead_ms/ });
  t.throws(() => withStepOverhead(fittedPerfModel('f', LLAMA_7B_A10), Number.NaN), { message: /step_overhead_ms of perf model f is NaN/ });
});
