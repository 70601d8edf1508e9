/**
 * Loading figure: checkpoint load time by tier and loader kind, from the loader cost models
 * (calibration.ts), on the paper's testbed (i) — 8 × A5000 on PCIe 4.0, RAID0 NVMe ≈ 12 GB/s.
 */
import { LOADER_KINDS, loaderParams, loadSeconds, type LoaderKind } from '../../sim/serverless/index.ts';

/** Models of the paper's loading experiment: fp16 bytes and the GPUs device_map spreads them over. */
export const LOADING_MODELS = [
  { name: 'OPT-2.7B', size_gb: 5.3, gpus: 1 },
  { name: 'OPT-6.7B', size_gb: 13.3, gpus: 1 },
  { name: 'OPT-13B', size_gb: 25.7, gpus: 2 },
  { name: 'OPT-30B', size_gb: 60, gpus: 4 },
  { name: 'OPT-66B', size_gb: 132, gpus: 8 },
  { name: 'LLaMA-2-70B', size_gb: 138, gpus: 8 },
] as const;

export const TESTBED_I = { ssd_gb_per_s: 12, pcie_gb_per_s_per_gpu: 25, network_gb_per_s: 1.25 };

export type LoadingRow = {
  readonly model: string;
  readonly size_gb: number;
  readonly tier: 'dram' | 'ssd' | 'remote';
  readonly loader: LoaderKind;
  readonly load_s: number;
};

export function loadingRows(): LoadingRow[] {
  const rows: LoadingRow[] = [];
  for (const m of LOADING_MODELS) {
    const pcie = TESTBED_I.pcie_gb_per_s_per_gpu * 1e9 * m.gpus;
    const stages = { dram: [pcie], ssd: [TESTBED_I.ssd_gb_per_s * 1e9, pcie], remote: [TESTBED_I.network_gb_per_s * 1e9, pcie] } as const;
    for (const tier of ['dram', 'ssd', 'remote'] as const) {
      for (const loader of LOADER_KINDS) {
        rows.push({ model: m.name, size_gb: m.size_gb, tier, loader, load_s: round3(loadSeconds(loaderParams({ kind: loader }), m.size_gb * 1e9, stages[tier])) });
      }
    }
  }
  return rows;
}

/** fleetlab's speed-up over each baseline for SSD-resident checkpoints, per model. */
export function speedups(rows: readonly LoadingRow[]): { model: string; vs: LoaderKind; speedup: number }[] {
  const ssd = rows.filter((r) => r.tier === 'ssd');
  const out: { model: string; vs: LoaderKind; speedup: number }[] = [];
  for (const m of LOADING_MODELS) {
    const ours = ssd.find((r) => r.model === m.name && r.loader === 'fleetlab')?.load_s ?? NaN;
    for (const vs of ['safetensors', 'pytorch'] as const) {
      const theirs = ssd.find((r) => r.model === m.name && r.loader === vs)?.load_s ?? NaN;
      out.push({ model: m.name, vs, speedup: round3(theirs / ours) });
    }
  }
  return out;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Load time of `vs` over ServerlessLLM's loader for one model from SSD (unrounded times). */
export function speedupOf(rows: readonly LoadingRow[], model: string, vs: LoaderKind): number | undefined {
  const at = (loader: LoaderKind) => rows.find((r) => r.model === model && r.tier === 'ssd' && r.loader === loader)?.load_s;
  const ours = at('fleetlab');
  const theirs = at(vs);
  return ours === undefined || theirs === undefined || ours <= 0 ? undefined : theirs / ours;
}

/** The paper's names for the loaders (ours is ServerlessLLM's). */
export const LOADER_LABELS: Readonly<Record<LoaderKind, string>> = { fleetlab: 'ServerlessLLM', safetensors: 'Safetensors', pytorch: 'PyTorch' };
/** Paper-style names of the storage tiers. */
export const TIER_LABELS = { dram: 'DRAM', ssd: 'SSD (NVMe RAID0)', remote: 'Remote (10 Gbps)' } as const;
