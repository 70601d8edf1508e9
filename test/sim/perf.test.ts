import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { fittedPerfModel, kvBytesPerBlock, LLAMA_7B_A10, linkCopyModel, tablePerfModel } from '../../sim/index.ts';

test('the LLaMA-7B/A10 fit lands on the Llumnix artifact anchors (llumnix.md §4.3, §6)', (t) => {
  const m = fittedPerfModel('7b', LLAMA_7B_A10);
  // Recompute row of Fig. 10: 58 / 220 / 1995 ms for one prompt of 256 / 1k / 8k tokens.
  const near = (got: number, want: number, tolerance: number): void => {
    t.true(Math.abs(got - want) / want < tolerance, `${got.toFixed(1)} vs ${want}`);
  };
  near(m.prefill_ms([256]), 58, 0.1);
  near(m.prefill_ms([1024]), 220, 0.1);
  near(m.prefill_ms([8192]), 1995, 0.1);
  // Normal decode: ≈ 43.5 ms for a few requests with ~8k tokens, ≈ 52 ms for 32 requests / ~9k tokens.
  near(m.decode_ms(2, 8200), 43.5, 0.05);
  near(m.decode_ms(32, 8900), 52, 0.05);
  // Attention is quadratic per sequence: two 4k prompts cost less than one 8k prompt.
  t.true(m.prefill_ms([4096, 4096]) < m.prefill_ms([8192]));
});

test('KV bytes per block for LLaMA-7B are 8 MiB; a block copies in ≈ 3.3 ms over 2.5 GB/s', (t) => {
  const bytes = kvBytesPerBlock({ layers: 32, kv_heads: 32, head_dim: 128, dtype_bytes: 2, block_size_tokens: 16 });
  t.is(bytes, 8 * 1024 * 1024);
  const copy = linkCopyModel({ bytes_per_block: bytes, bandwidth_gbps: 2.5, stage_overhead_ms: 10 });
  t.true(Math.abs(copy.stage_ms(1) - 10 - 3.355) < 0.01);
  t.is(copy.stage_ms(0), 10);
});

test('the table model interpolates linearly in tokens and between batch sizes, and extends the edge segments', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-perf-'));
  const file = join(dir, 'profile.csv');
  writeFileSync(
    file,
    ['phase,batch_size,tokens,latency_ms', 'prefill,1,100,10', 'prefill,1,300,50', 'decode,1,0,20', 'decode,1,1000,30', 'decode,9,0,40', 'decode,9,1000,60'].join('\n'),
  );
  const m = tablePerfModel('t', file);
  t.is(m.prefill_ms([100, 100]), 30);
  t.is(m.prefill_ms([400]), 70);
  t.is(m.decode_ms(1, 500), 25);
  t.is(m.decode_ms(5, 500), 37.5);
  t.is(m.decode_ms(9, 2000), 80);
});

test('a malformed profile names file, line and field', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-perf-'));
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'phase,batch_size,tokens,latency_ms\nprefill,1,100,10\ndecode,1,abc,20\n');
  t.throws(() => tablePerfModel('t', file), { message: /bad\.csv:3: Expected tokens to be a finite number >= 0, received "abc"/ });
  writeFileSync(file, 'phase,batch_size,tokens,latency_ms\nprefill,1,100,10\nwarmup,1,1,1\n');
  t.throws(() => tablePerfModel('t', file), { message: /bad\.csv:3: Expected phase to be 'prefill' or 'decode', received "warmup"/ });
});
