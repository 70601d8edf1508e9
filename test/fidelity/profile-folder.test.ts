// `fleetlab profile` writes a folder the simulator reads as it is: the step table, the KV
// transfer line (migration stages) and the start-up time, merged into a run config by hand.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileEngine, profileStartup } from '../../backend/profile/profile-engine.ts';
import { writeProfileFolder } from '../../backend/profile/profile-folder.ts';
import { monotoneTable, profileCsv } from '../../backend/profile/profile-grid.ts';
import { tablePerfModel } from '../../sim/perf/index.ts';
import { profileKvTransfer } from '../../backend/profile/profile-kv.ts';
import type { ModelArch } from '../../backend/model/arch.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetlab-profile-'));
process.env['FLEETLAB_CACHE_DIR'] = join(dir, 'cache');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('profile → folder → a simulation that reads it, with the measured KV transfer and start-up', async (t) => {
  const profile = await profileEngine({ model: 'tiny', repeats: 2, prefill_tokens: [16, 64], decode_batch_sizes: [1, 4], decode_context_tokens: [16, 64] });
  t.true(profile.non_forward_ms.length > 0 && profile.non_forward_ms.every((x) => x >= 0), 'schedule + sampling + update never negative');
  const kv = await profileKvTransfer(profile.meta['arch'] as ModelArch, { block_size_tokens: 16, stage_blocks: [1, 8, 32], repeats: 2 });
  t.deepEqual(kv.points.map((p) => p.blocks), [1, 8, 32]);
  t.true(kv.bandwidth_gbps > 0 && Number.isFinite(kv.bandwidth_gbps), `bandwidth ${kv.bandwidth_gbps}`);
  t.true(kv.stage_overhead_ms >= 0);
  const startup_s = await profileStartup('tiny', { repeats: 1 });
  t.true(startup_s > 0);

  const out = join(dir, 'profile');
  const folder = await writeProfileFolder(out, profile, { kv_transfer: kv, startup_s });
  const simulator = JSON.parse(readFileSync(join(out, 'simulator.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  t.deepEqual(simulator, JSON.parse(JSON.stringify(folder.simulator)));
  t.is((simulator['migration'] as { bandwidth_gbps: number }).bandwidth_gbps.toFixed(2), kv.bandwidth_gbps.toFixed(2));
  const meta = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as { kernel: string; non_forward_ms: { samples: number } };
  t.is(meta.non_forward_ms.samples, profile.non_forward_ms.length);

  // The fragment is a valid config as written (paths relative to the folder).
  const config = parseRunConfig(
    {
      name: 'from-profile', seed: 0,
      model: simulator['model'], migration: simulator['migration'],
      cluster: { instances: 2, total_blocks: 256, engine: { kind: 'vllm-v1' }, ...simulator['cluster'] },
      scheduler: { dispatch: { kind: 'load' } },
      workload: { num_requests: 20, arrival: { kind: 'poisson', rate_per_s: 5 }, lengths: { prompt: { kind: 'uniform', mean_tokens: 36, range_tokens: 56 }, output: { kind: 'uniform', mean_tokens: 10, range_tokens: 12 } } },
    },
    'simulator.json',
  );
  const result = simulate(config, { baseDir: out });
  t.is(result.requests.length, 20);
  t.true(result.requests.every((r) => r.finish_s !== undefined));
});

test('a noisy measured table is made monotone with a row at 0 tokens: no step is priced below zero', async (t) => {
  const row = (phase: 'prefill' | 'decode', batch_size: number, tokens: number, latency_ms: number) => ({ phase, batch_size, tokens, latency_ms, p10_ms: latency_ms, p90_ms: latency_ms, samples: 3 });
  // A steep first prefill segment (1 → 9 ms over 16 tokens) and a decode series that dips.
  const rows = [row('prefill', 1, 16, 1), row('prefill', 1, 32, 9), row('decode', 1, 35, 13.6), row('decode', 1, 131, 1.7), row('decode', 1, 323, 11.5)];
  const safe = monotoneTable(rows);
  t.deepEqual(safe.filter((r) => r.phase === 'prefill').map((r) => [r.tokens, r.latency_ms]), [[0, 1], [16, 1], [32, 9]]);
  // The dip is pooled with the row before it (equal samples): their mean.
  const pooled = Number(((13.6 + 1.7) / 2).toFixed(9));
  t.deepEqual(safe.filter((r) => r.phase === 'decode').map((r) => [r.tokens, Number(r.latency_ms.toFixed(9))]), [[0, pooled], [35, pooled], [131, pooled], [323, 11.5]]);
  const out = join(dir, 'noisy');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'raw.csv'), profileCsv(rows));
  writeFileSync(join(out, 'safe.csv'), profileCsv(safe));
  // The raw table prices a 3-token chunk below zero; the monotone one does not.
  t.true(tablePerfModel('raw', join(out, 'raw.csv')).prefill_ms([3]) < 0);
  t.is(tablePerfModel('safe', join(out, 'safe.csv')).prefill_ms([3]), 1);
});

test('a decode point measures at least `repeats` full-batch steps, so --repeats 1 works at batches above 1', async (t) => {
  // Was: "no decode step ran all 4 sequences of context 32 together", because the batch's prompts
  // reached the engine over two steps and the one full-batch decode left was the warm-up.
  for (const repeats of [1, 2]) {
    const profile = await profileEngine({ model: 'tiny', repeats, prefill_tokens: [16], decode_batch_sizes: [4], decode_context_tokens: [32] });
    const decode = profile.rows.find((r) => r.phase === 'decode' && r.batch_size === 4 && r.samples > 0);
    t.true(decode !== undefined && decode.samples >= repeats, `repeats ${repeats}: ${decode?.samples} samples`);
  }
});
