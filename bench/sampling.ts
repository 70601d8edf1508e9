// Sampling cost per token over a Qwen2-sized vocabulary (151,936 ids): greedy, temperature,
// top-k, top-p, with logprobs. `npx tsx bench/sampling.ts [vocab] [tokens]`.
import seedrandom from 'seedrandom';
import { parseSamplingParams } from '../backend/engine/sampling-params.ts';
import { sampleToken, SamplingScratch } from '../backend/engine/sampling.ts';
import { SamplingRng } from '../backend/engine/sampling-rng.ts';

const vocab = Number(process.argv[2] ?? 151936);
const tokens = Number(process.argv[3] ?? 50);
const r = seedrandom('bench');
// "flat": logits spread over 8 nats; "peaked": a few tokens 20 nats above the rest.
const rows = {
  flat: Float32Array.from({ length: vocab }, () => (r() - 0.5) * 8),
  peaked: Float32Array.from({ length: vocab }, () => (r() - 0.5) * 8 + (r() < 0.001 ? 20 : 0)),
};
const scratch = new SamplingScratch();
for (const [name, row] of Object.entries(rows)) {
  for (const opts of [{ temperature: 0 }, {}, { top_k: 20 }, { top_p: 0.8 }, { top_p: 0.8, top_k: 20, logprobs: 5 }]) {
    const p = parseSamplingParams(opts);
    const rng = SamplingRng.fromSeed('bench');
    for (let i = 0; i < 5; i++) sampleToken(row, p, rng, scratch); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < tokens; i++) sampleToken(row, p, rng, scratch);
    console.log(`${name.padEnd(7)} ${JSON.stringify(opts).padEnd(42)} ${((performance.now() - t0) / tokens).toFixed(2)} ms/token`);
  }
}
