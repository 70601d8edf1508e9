import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fromBf16, loadTokenizer, readModelFolder } from '../../backend/model/index.ts';
import { readSafetensorsHeader } from '../../backend/native/index.ts';
import { lastLogits } from './scale-forward.ts';
import { microModel, tempDir } from './helpers.ts';

async function weightsOf(dir: string): Promise<(name: string) => Float64Array> {
  const file = path.join(dir, 'model.safetensors');
  const bytes = await readFile(file);
  const map = new Map<string, Float64Array>();
  for (const t of (await readSafetensorsHeader(file)).tensors) {
    const raw = bytes.buffer.slice(bytes.byteOffset + t.begin, bytes.byteOffset + t.end);
    map.set(t.name, Float64Array.from(t.dtype === 'bf16' ? fromBf16(new Uint16Array(raw)) : new Float32Array(raw)));
  }
  return (name) => map.get(name)!;
}

const argmax = (x: Float64Array) => x.reduce((best, v, i) => (v > x[best]! ? i : best), 0);

for (const arch of ['qwen2', 'llama'] as const) {
  test(`${arch}: a random tiny model's logits are informative and greedy output depends on the prompt`, async (t) => {
    const { dir, cleanup } = await tempDir();
    try {
      const m = await microModel(dir, { arch, hidden: 64, heads: 4, kv_heads: 2, intermediate: 128, vocab: 512, layers: 2, seed: 3 });
      const folder = await readModelFolder(m);
      const tok = await loadTokenizer(m);
      const W = await weightsOf(m);
      const continuations = new Set<string>();
      for (const prompt of ['Hello, world!', 'The scheduler plans', '你好，世界', 'def greet(name):']) {
        const ids = tok.encode(prompt, { add_special_tokens: false });
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          const logits = lastLogits(folder.arch, W, [...ids, ...out]);
          const mean = logits.reduce((a, b) => a + b, 0) / logits.length;
          const std = Math.sqrt(logits.reduce((a, b) => a + (b - mean) ** 2, 0) / logits.length);
          t.true(std > 0.5 && std < 8, `${prompt}: logits std ${std.toFixed(2)}`);
          out.push(argmax(logits));
        }
        continuations.add(out.join(','));
      }
      t.log(`greedy continuations: ${[...continuations].join(' | ')}`);
      t.true(continuations.size >= 3, `greedy continuations of 4 prompts: ${[...continuations].join(' | ')}`);
      t.true([...continuations].filter((c) => new Set(c.split(',')).size > 1).length >= 3, 'greedy does not just repeat one token');
    } finally {
      await cleanup();
    }
  });
}
