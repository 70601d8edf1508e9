/**
 * One server: GPUs (each owned by at most one instance, or reserved for one that waits for a
 * victim to leave), a DRAM checkpoint cache, an SSD, a sequential loading queue, and the
 * device bandwidths of its tiers.
 */
import type { Tier } from '../../policies/placement/index.ts';
import type { Simulation } from '../kernel/index.ts';
import type { ServerlessConfig } from './config.ts';
import { LoadingQueue } from './loading-queue.ts';
import { LruCache } from './lru-cache.ts';

export class SimNode {
  readonly owner: (number | undefined)[];
  readonly reserved: (number | undefined)[];
  readonly dram: LruCache;
  readonly ssd: LruCache;
  readonly queue: LoadingQueue;
  readonly network_bytes_per_s: number;
  readonly ssd_bytes_per_s: number;
  readonly pcie_bytes_per_s_per_gpu: number;

  constructor(
    readonly id: number,
    sim: Simulation,
    cluster: ServerlessConfig['cluster'],
  ) {
    this.owner = Array.from({ length: cluster.gpus_per_node }, () => undefined);
    this.reserved = Array.from({ length: cluster.gpus_per_node }, () => undefined);
    this.dram = new LruCache(cluster.dram_cache_gb * 1e9);
    this.ssd = new LruCache(cluster.ssd_capacity_gb * 1e9);
    this.queue = new LoadingQueue(sim);
    this.network_bytes_per_s = cluster.bandwidth.network_gb_per_s * 1e9;
    this.ssd_bytes_per_s = cluster.bandwidth.ssd_gb_per_s * 1e9;
    this.pcie_bytes_per_s_per_gpu = cluster.bandwidth.pcie_gb_per_s_per_gpu * 1e9;
  }

  freeGpus(): number[] {
    const free: number[] = [];
    this.owner.forEach((o, gpu) => {
      if (o === undefined && this.reserved[gpu] === undefined) free.push(gpu);
    });
    return free;
  }

  tierOf(model: string): Tier {
    if (this.dram.has(model)) return 'dram';
    if (this.ssd.has(model)) return 'ssd';
    return 'remote';
  }

  /** Device ceilings of the stages a load from `tier` onto `gpus` GPUs goes through. */
  stages(tier: Tier, gpus: number): number[] {
    const pcie = this.pcie_bytes_per_s_per_gpu * gpus;
    switch (tier) {
      case 'dram':
        return [pcie];
      case 'ssd':
        return [this.ssd_bytes_per_s, pcie];
      case 'remote':
        return [this.network_bytes_per_s, pcie];
    }
  }

  release(instance: number): void {
    this.owner.forEach((o, gpu) => {
      if (o === instance) this.owner[gpu] = undefined;
    });
    this.reserved.forEach((r, gpu) => {
      if (r === instance) this.reserved[gpu] = undefined;
    });
  }
}
