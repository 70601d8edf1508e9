/**
 * The experiment setups: a 4-server cluster like the paper's testbed (ii) (4 × A40 per
 * server, 10 Gbps network, one NVMe SSD per server), many OPT-6.7B-sized models with zipf
 * popularity, bursty Gamma arrivals (CV 8, Azure-Functions-like) and GSM8K-like or
 * ShareGPT-like lengths.
 */
import type { PlacementSpecInput } from '../../policies/placement/index.ts';
import type { ServerlessConfigInput, ServerlessRequestInput } from '../../sim/serverless/index.ts';
import { Simulation } from '../../sim/kernel/index.ts';
import { generateWorkload, type LengthConfigInput } from '../../traces/index.ts';
import { GSM8K_OUTPUT_KNOTS, GSM8K_PROMPT_KNOTS } from '../../traces/lengths/gsm8k.ts';
import { KSERVE_LOADER } from './kserve.ts';

export const DATASETS = ['GSM8K', 'ShareGPT'] as const;
export type Dataset = (typeof DATASETS)[number];

export const PLACEMENTS = ['availability', 'locality-wait', 'preempt', 'locality-migrate'] as const;
export type PlacementKind = (typeof PLACEMENTS)[number];

export interface ClusterShape {
  readonly nodes: number;
  readonly gpus_per_node: number;
  readonly models: number;
  /** Zipf exponent of model popularity. */
  readonly zipf_s: number;
}

export const PAPER_CLUSTER: ClusterShape = { nodes: 4, gpus_per_node: 4, models: 32, zipf_s: 1.1 };

const modelName = (i: number): string => `opt-6.7b-${String(i).padStart(2, '0')}`;

/** Zipf weights 1/k^s over the models, most popular first. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
}

function lengths(dataset: Dataset): { prompt: LengthConfigInput; output: LengthConfigInput } {
  return dataset === 'GSM8K'
    ? { prompt: { kind: 'quantiles', points: GSM8K_PROMPT_KNOTS.map(([p, v]) => [p, v] as [number, number]) }, output: { kind: 'quantiles', points: GSM8K_OUTPUT_KNOTS.map(([p, v]) => [p, v] as [number, number]) } }
    : { prompt: { kind: 'quantile_preset', name: 'sharegpt_prompt' }, output: { kind: 'quantile_preset', name: 'sharegpt_output' } };
}

export function workload(shape: ClusterShape, dataset: Dataset, rate_per_s: number, num_requests: number, seed: number): ServerlessRequestInput[] {
  const sim = new Simulation(seed);
  const specs = generateWorkload(
    {
      num_requests,
      arrival: { kind: 'gamma', rate_per_s, cv: 8 },
      lengths: lengths(dataset),
      models: zipfWeights(shape.models, shape.zipf_s).map((weight, i) => ({ name: modelName(i), weight })),
    },
    { arrivals: sim.rng.stream('arrivals'), lengths: sim.rng.stream('lengths'), priorities: sim.rng.stream('priorities'), models: sim.rng.stream('models') },
  );
  return specs.map((s) => ({ id: s.id, model: s.model ?? modelName(0), arrival_s: s.arrival_s, prompt_tokens: s.prompt_tokens, output_tokens: s.output_tokens }));
}

/** The systems of the end-to-end comparison; the loader and the tiers differ, not the GPUs. */
export const SYSTEMS = ['ServerlessLLM', 'Ray Serve + Cache', 'Ray Serve', 'KServe'] as const;
export type SystemName = (typeof SYSTEMS)[number];

interface SystemTraits {
  readonly loader: NonNullable<ServerlessConfigInput['loader']>;
  readonly placement: PlacementSpecInput;
  readonly dram_cache_gb: number;
  /** Checkpoints start on (and downloads stay on) local SSD. */
  readonly local_ssd: boolean;
}

const TRAITS: Record<SystemName | 'placement-study', SystemTraits> = {
  ServerlessLLM: { loader: { kind: 'fleetlab' }, placement: { kind: 'locality-migrate' }, dram_cache_gb: 128, local_ssd: true },
  'Ray Serve + Cache': { loader: { kind: 'safetensors' }, placement: { kind: 'availability' }, dram_cache_gb: 0, local_ssd: true },
  'Ray Serve': { loader: { kind: 'safetensors' }, placement: { kind: 'availability' }, dram_cache_gb: 0, local_ssd: false },
  // A fresh pod per cold start: download from remote storage, then Safetensors (kserve.ts).
  KServe: { loader: KSERVE_LOADER, placement: { kind: 'availability' }, dram_cache_gb: 0, local_ssd: false },
  'placement-study': { loader: { kind: 'fleetlab' }, placement: { kind: 'locality-migrate' }, dram_cache_gb: 128, local_ssd: true },
};

export function clusterConfig(shape: ClusterShape, system: SystemName | 'placement-study', placement?: PlacementKind, seed = 0): ServerlessConfigInput {
  const traits = TRAITS[system];
  return {
    seed,
    cluster: {
      nodes: shape.nodes,
      gpus_per_node: shape.gpus_per_node,
      dram_cache_gb: traits.dram_cache_gb,
      cache_downloads_on_ssd: traits.local_ssd,
      bandwidth: { network_gb_per_s: 1.25, ssd_gb_per_s: 6, pcie_gb_per_s_per_gpu: 25 },
    },
    loader: traits.loader,
    placement: placement === undefined ? traits.placement : { kind: placement },
    models: Array.from({ length: shape.models }, (_, i) => ({
      name: modelName(i),
      params_b: 6.7,
      kv: { layers: 32, kv_heads: 32, head_dim: 128 },
      // Two copies per model on neighbouring servers, so a migrated inference has somewhere local to go.
      ssd_nodes: traits.local_ssd ? [i % shape.nodes, (i + 1) % shape.nodes] : [],
      auto_scaling_config: { target: 1, min_instances: 0, max_instances: 10, keep_alive: 0 },
    })),
  };
}
