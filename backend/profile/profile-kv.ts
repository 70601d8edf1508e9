// The KV-cache transfer path of live migration, measured: blocks of the model's geometry sent
// from one pool to another over the addon's transfer (the path a migration stage takes), for
// several stage sizes. A least-squares line time = overhead + blocks × per-block time gives the
// simulator's migration.bandwidth_gbps and migration.stage_overhead_ms.
import { linearRegression } from 'simple-statistics';
import type { ModelArch } from '../model/arch.ts';
import { KvBlockPool, listenForBlocks, sendBlocks, type KvDtype } from '../native/index.ts';
import { spread } from './profile-grid.ts';

export interface KvTransferProfile {
  readonly bytes_per_block: number;
  /** Per stage size: blocks and the median wall time of one send (ms), with its spread. */
  readonly points: readonly { readonly blocks: number; readonly median_ms: number; readonly p10_ms: number; readonly p90_ms: number; readonly samples: number }[];
  /** The fitted line's slope as bandwidth (GB/s = 1e9 bytes/s). */
  readonly bandwidth_gbps: number;
  /** The fitted line's intercept: the fixed cost of one stage. */
  readonly stage_overhead_ms: number;
}

export async function profileKvTransfer(
  arch: ModelArch,
  opts: { block_size_tokens: number; kv_dtype?: KvDtype; stage_blocks?: readonly number[]; repeats?: number },
): Promise<KvTransferProfile> {
  const stages = opts.stage_blocks ?? [1, 4, 16, 64, 256];
  const repeats = opts.repeats ?? 5;
  const numBlocks = Math.max(...stages);
  const spec = {
    numLayers: arch.num_hidden_layers, numBlocks, blockSize: opts.block_size_tokens,
    numKvHeads: arch.num_key_value_heads, headDim: arch.head_dim, dtype: opts.kv_dtype ?? 'f32',
  } as const;
  const src = new KvBlockPool(spec);
  const dst = new KvBlockPool(spec);
  const receiver = await listenForBlocks(dst, { host: '127.0.0.1' });
  try {
    const ids = Array.from({ length: numBlocks }, (_, i) => i);
    const points = [];
    for (const blocks of stages) {
      const ms: number[] = [];
      // One warm-up send, then the measured ones.
      for (let r = 0; r <= repeats; r++) {
        const t0 = performance.now();
        await sendBlocks(src, ids.slice(0, blocks), ids.slice(0, blocks), { host: '127.0.0.1', port: receiver.port });
        if (r > 0) ms.push(performance.now() - t0);
      }
      const { median, p10, p90 } = spread(ms);
      points.push({ blocks, median_ms: median, p10_ms: p10, p90_ms: p90, samples: ms.length });
    }
    const { m: slope, b: intercept } = linearRegression(points.map((p) => [p.blocks, p.median_ms]));
    const bytes_per_block = src.stagingBytes(1);
    if (slope > 0) return { bytes_per_block, points, bandwidth_gbps: bytes_per_block / (slope * 1e6), stage_overhead_ms: Math.max(0, intercept) };
    // Noise flattened the line: the largest stage's throughput, and no separate overhead.
    const largest = points[points.length - 1] as { blocks: number; median_ms: number };
    return { bytes_per_block, points, bandwidth_gbps: (largest.blocks * bytes_per_block) / (largest.median_ms * 1e6), stage_overhead_ms: 0 };
  } finally {
    await receiver.close();
    src.free();
    dst.free();
  }
}
