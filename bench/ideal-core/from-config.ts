/**
 * The ideal core's inputs from a run config: the same requests `simulate` would generate (the
 * same seeded streams, in the same order), the cluster's limits and the fitted step prices.
 */
import type { RunConfig } from '../../sim/index.ts';
import { Simulation } from '../../sim/kernel/index.ts';
import { generateWorkload } from '../../traces/index.ts';
import type { IdealLimits, IdealPrices, IdealWorkload } from './fleet.ts';

export interface IdealInputs {
  readonly workload: IdealWorkload;
  readonly limits: IdealLimits;
  readonly prices: IdealPrices;
}

export function idealInputs(config: RunConfig): IdealInputs {
  const perf = config.model.perf;
  if (perf.kind !== 'fitted' || perf.prefill_quadratic !== 'per-sequence') {
    throw new Error(`ideal core: model.perf must be the fitted model with prefill_quadratic per-sequence, received ${JSON.stringify(perf)}`);
  }
  if (config.cluster.engine !== undefined && config.cluster.engine.kind !== 'vllm-v0') {
    throw new Error(`ideal core: cluster.engine.kind must be vllm-v0, received ${JSON.stringify(config.cluster.engine.kind)}`);
  }
  // The ideal core caps a prefill's Σ prompt tokens only (vLLM 0.1.7), not vLLM 0.2's padded batch.
  const budget = config.cluster.engine?.prefill_token_budget;
  if (budget !== undefined && budget !== 'sum') {
    throw new Error(`ideal core: cluster.engine.prefill_token_budget must be absent or "sum", received ${JSON.stringify(budget)}`);
  }
  // What the ideal core does not model must be absent (or off), so it is not silently ignored.
  const unmodelled: [string, unknown][] = [
    ['cluster.high_priority_first', config.cluster.high_priority_first ? true : undefined],
    ['cluster.frontend', config.cluster.frontend],
    ['cluster.contention', config.cluster.contention],
    ['workload.max_concurrency', config.workload.max_concurrency],
  ];
  for (const [field, value] of unmodelled) {
    if (value !== undefined) throw new Error(`ideal core: ${field} must be absent (the ideal core does not model it), received ${JSON.stringify(value)}`);
  }
  const sim = new Simulation(config.seed);
  const specs = generateWorkload(config.workload, { arrivals: sim.rng.stream('arrivals'), lengths: sim.rng.stream('lengths'), priorities: sim.rng.stream('priorities') });
  const high = specs.findIndex((spec) => spec.priority !== 'normal');
  if (high >= 0) throw new Error(`ideal core: every request must have normal priority (priorities are not modelled), request ${high} is ${JSON.stringify(specs[high]?.priority)}`);
  const { cluster } = config;
  return {
    workload: {
      arrival_s: Float64Array.from(specs, (s) => s.arrival_s),
      prompt_tokens: Int32Array.from(specs, (s) => s.prompt_tokens),
      output_tokens: Int32Array.from(specs, (s) => s.output_tokens),
    },
    limits: {
      total_blocks: cluster.total_blocks,
      block_size_tokens: cluster.block_size_tokens,
      watermark_blocks: Math.floor(cluster.watermark_fraction * cluster.total_blocks),
      max_num_batched_tokens: cluster.max_num_batched_tokens,
      max_num_seqs: cluster.max_num_seqs,
    },
    prices: perf,
  };
}
