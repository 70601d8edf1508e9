// perf.jitter: each step's price times a ratio drawn from a measured distribution, seeded.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { buildPerfModel, fittedPerfModel, LLAMA_7B_A10, ModelConfig, parseWith } from '../../sim/index.ts';
import { readJitterRatios, withStepJitter } from '../../sim/perf/step-jitter.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetlab-jitter-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const base = fittedPerfModel('7b', LLAMA_7B_A10);
const decodeStep = { prefills: [], decodes: [{ context_tokens: 100 }, { context_tokens: 200 }] };
const prefillStep = { prefills: [{ new_tokens: 64, context_tokens: 0 }], decodes: [{ context_tokens: 100 }] };

test('a step is priced times a drawn ratio of its phase; an empty step stays free; the same seed draws the same', (t) => {
  const ratios = { prefill: [2], decode: [0.5, 1.5] };
  const a = withStepJitter(base, ratios, seedrandom('7'));
  const b = withStepJitter(base, ratios, seedrandom('7'));
  t.is(a.step_ms(prefillStep), 2 * base.step_ms(prefillStep), 'a step with a prefill chunk draws from the prefill ratios');
  b.step_ms(prefillStep);
  const drawn = Array.from({ length: 200 }, () => a.step_ms(decodeStep) / base.step_ms(decodeStep));
  t.deepEqual(drawn, Array.from({ length: 200 }, () => b.step_ms(decodeStep) / base.step_ms(decodeStep)));
  t.true(drawn.every((r) => Math.abs(r - 0.5) < 1e-12 || Math.abs(r - 1.5) < 1e-12));
  t.true(drawn.some((r) => r < 1) && drawn.some((r) => r > 1), 'both ratios are drawn');
  t.is(a.step_ms({ prefills: [], decodes: [] }), 0);
  // Preemption-cost metrics keep the deterministic prices.
  t.is(a.decode_ms(2, 300), base.decode_ms(2, 300));
});

test('the ratios file: phase,ratio rows for both phases; a bad row is named', (t) => {
  const file = join(dir, 'ok.csv');
  writeFileSync(file, 'phase,ratio\nprefill,1.2\nprefill,0.8\ndecode,0.9\ndecode,1.1\n');
  t.deepEqual(readJitterRatios(file), { prefill: [0.8, 1.2], decode: [0.9, 1.1] });
  writeFileSync(join(dir, 'zero.csv'), 'phase,ratio\nprefill,1\ndecode,0\n');
  t.throws(() => readJitterRatios(join(dir, 'zero.csv')), { message: /zero\.csv:3: Expected ratio to be a finite number > 0/ });
  writeFileSync(join(dir, 'phase.csv'), 'phase,ratio\nprefill,1\nmixed,1\n');
  t.throws(() => readJitterRatios(join(dir, 'phase.csv')), { message: /phase\.csv:3: Expected phase to be 'prefill' or 'decode', received "mixed"/ });
  writeFileSync(join(dir, 'one.csv'), 'phase,ratio\nprefill,1\n');
  t.throws(() => readJitterRatios(join(dir, 'one.csv')), { message: /both phases/ });
});

test('perf.jitter_memory needs perf.jitter and a per_step below 1; each is named', (t) => {
  const file = join(dir, 'table.csv');
  writeFileSync(file, 'phase,batch_size,tokens,latency_ms\nprefill,1,0,0\nprefill,1,100,5\ndecode,1,0,1\ndecode,1,100,2\n');
  const model = (perf: Record<string, unknown>) => ({ name: 'm', layers: 2, kv_heads: 2, head_dim: 8, perf: { kind: 'table', file, ...perf } });
  const noJitter = parseWith(ModelConfig, model({ jitter_memory: { share: 0.5, per_step: 0.9 } }));
  t.throws(() => buildPerfModel(noJitter, dir, () => seedrandom('1')), { message: /model\.perf\.jitter_memory.*perf\.jitter set too/ });
  t.throws(() => parseWith(ModelConfig, model({ jitter: file, jitter_memory: { share: 0.5, per_step: 1 } })), { message: /perf\.jitter_memory\.per_step/ });
  const ok = parseWith(ModelConfig, model({ jitter: file.replace('table', 'ratios'), jitter_memory: { share: 0.5, per_step: 0.9 } }));
  writeFileSync(join(dir, 'ratios.csv'), 'phase,ratio\nprefill,1\ndecode,1\n');
  t.is(buildPerfModel(ok, dir, () => seedrandom('1')).step_ms({ prefills: [], decodes: [{ context_tokens: 50 }] }), 1.5);
});
