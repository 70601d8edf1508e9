import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { StepBatch } from '../../engine/index.ts';
import { buildPerfModel, fittedPerfModel, LLAMA_7B_A10, ModelConfig, parseWith, tablePerfModel } from '../../sim/index.ts';

/** The shipped LLMServingSim profile: an importer obeys the same step contract. */
const llmServingSim = buildPerfModel(parseWith(ModelConfig, { layers: 32, kv_heads: 8, perf: { kind: 'llmservingsim', dir: 'builtin:llmservingsim/RTX4090/meta-llama/Llama-3.1-8B/bf16/tp1' } }), '/');

const prefillBatch = (lengths: number[]): StepBatch => ({ prefills: lengths.map((n) => ({ new_tokens: n, context_tokens: 0 })), decodes: [] });
const decodeBatch = (contexts: number[]): StepBatch => ({ prefills: [], decodes: contexts.map((c) => ({ context_tokens: c })) });

function bigTable(rows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-perf-'));
  const file = join(dir, 'profile.csv');
  const lines = ['phase,batch_size,tokens,latency_ms'];
  const perBatch = Math.max(2, Math.floor(rows / 2 / 32));
  for (let i = 0; i < rows / 2; i++) lines.push(`prefill,1,${i * 7},${5 + i * 0.1 + ((i * 37) % 11) * 0.01}`);
  for (let b = 1; b <= 32; b++) for (let i = 0; i < perBatch; i++) lines.push(`decode,${b * 2},${i * 50},${20 + b * 0.3 + i * 0.02 + ((i * b) % 7) * 0.01}`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

/** The former linear-scan interpolation, as an oracle for the binary search. */
function scanInterpolate(points: { x: number; y: number }[], x: number): number {
  if (points.length === 1) return points[0]!.y;
  let i = 1;
  while (i < points.length - 1 && points[i]!.x < x) i++;
  const a = points[i - 1]!;
  const b = points[i]!;
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

test('step_ms reproduces prefill_ms and decode_ms bit for bit on v0 batches (fitted and table)', (t) => {
  const models = [fittedPerfModel('f', LLAMA_7B_A10), fittedPerfModel('f2', { ...LLAMA_7B_A10, step_overhead_ms: 4, prefill_quadratic: 'batch-sum' }), tablePerfModel('t', bigTable(2000)), llmServingSim];
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % n);
  };
  for (const m of models) {
    for (let i = 0; i < 300; i++) {
      const lengths = Array.from({ length: next(8) }, () => next(6000));
      t.is(m.step_ms(prefillBatch(lengths)), m.prefill_ms(lengths));
      const contexts = Array.from({ length: next(64) }, () => next(4000));
      t.is(m.step_ms(decodeBatch(contexts)), m.decode_ms(contexts.length, contexts.reduce((s, c) => s + c, 0)));
    }
    t.is(m.step_ms({ prefills: [], decodes: [] }), 0);
  }
});

test('the table lookup is a binary search that agrees with a scan, on a 12k-row table', (t) => {
  const file = bigTable(12000);
  const m = tablePerfModel('t', file);
  const prefill: { x: number; y: number }[] = [];
  for (let i = 0; i < 6000; i++) prefill.push({ x: i * 7, y: 5 + i * 0.1 + ((i * 37) % 11) * 0.01 });
  for (const tokens of [0, 1, 6, 7, 8, 13999, 20000, 41993, 41999, 50000]) {
    t.is(m.prefill_ms([tokens]), scanInterpolate(prefill, tokens), `prefill at ${tokens}`);
  }
});

test('fitted: the chunks of one prompt cost what the whole prompt does, beyond the per-step base', (t) => {
  const m = fittedPerfModel('f', LLAMA_7B_A10);
  const whole = m.step_ms(prefillBatch([3000]));
  const chunks = [
    { new_tokens: 2048, context_tokens: 0 },
    { new_tokens: 952, context_tokens: 2048 },
  ].map((c) => m.step_ms({ prefills: [c], decodes: [] }));
  const base = LLAMA_7B_A10.prefill_base_ms;
  t.true(Math.abs(chunks[0]! + chunks[1]! - base - whole) < 1e-9);
});

test('a mixed step pays one fixed cost: at least either part alone, less than both', (t) => {
  for (const m of [fittedPerfModel('f', LLAMA_7B_A10), tablePerfModel('t', bigTable(2000)), llmServingSim]) {
    const prefills = [{ new_tokens: 512, context_tokens: 0 }];
    const decodes = Array.from({ length: 16 }, () => ({ context_tokens: 800 }));
    const mixed = m.step_ms({ prefills, decodes });
    const p = m.step_ms({ prefills, decodes: [] });
    const d = m.step_ms({ prefills: [], decodes });
    t.true(mixed >= Math.max(p, d) - 1e-9, `${m.name}: ${mixed} >= max(${p}, ${d})`);
    t.true(mixed < p + d, `${m.name}: ${mixed} < ${p} + ${d}`);
  }
});
