import seedrandom from 'seedrandom';
import { parseSamplingParams } from './backend/engine/sampling-params.ts';
import { sampleToken, SamplingScratch } from './backend/engine/sampling.ts'; const sc = new SamplingScratch();
import { SamplingRng } from './backend/engine/sampling-rng.ts';
const V = Number(process.argv[2] ?? 151936);
const r = seedrandom('x');
const flat = Float32Array.from({ length: V }, () => (r() - 0.5) * 8);
const peaked = Float32Array.from({ length: V }, () => (r() - 0.5) * 8 + (r() < 0.001 ? 20 : 0));
for (const [name, row] of [['flat', flat], ['peaked', peaked]] as const) {
  for (const opts of [{ temperature: 0 }, {}, { top_k: 20 }, { top_p: 0.8 }, { top_p: 0.8, top_k: 20, logprobs: 5 }]) {
    const p = parseSamplingParams(opts); const g = SamplingRng.fromSeed('b');
    const n = Number(process.argv[3] ?? 20); for (let i = 0; i < 5; i++) sampleToken(row, p, g, sc); const t0 = performance.now();
    for (let i = 0; i < n; i++) sampleToken(row, p, g, sc);
    console.log(name, JSON.stringify(opts), ((performance.now() - t0) / n).toFixed(2), 'ms/token');
  }
}
