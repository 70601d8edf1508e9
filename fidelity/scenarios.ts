// Named fidelity scenarios: a trace and the engine limits it runs under, chosen for what the
// loop is meant to show. `default` measures the simulator's error at a load where nothing
// queues (every policy decides alike); `imbalance` is a load where the policies really differ,
// so whether the simulator ranks them as the real fleet does can be decided (docs/fidelity.md).
import type { SyntheticTrace } from './workload.ts';

export interface FidelityScenario {
  readonly description: string;
  /** The trace without its seed (the run's seed is given separately). */
  readonly trace: Omit<SyntheticTrace, 'seed'>;
  /** KV blocks per instance (16 tokens each): memory pressure is set here. */
  readonly num_kv_blocks: number;
  readonly max_num_batched_tokens: number;
  readonly max_num_seqs: number;
  /**
   * Real replays per policy. Two or more measure the run-to-run noise of every ranked statistic,
   * and a ranking claim is made only where the real gap between two policies exceeds it.
   */
  readonly real_runs: number;
}

export const FIDELITY_SCENARIOS = {
  default: {
    description: 'Poisson 4 req/s, prompts 16–256, outputs 8–64 tokens, 1024 KV blocks per instance: nothing queues; the error table at an easy load',
    trace: { requests: 60, rate_per_s: 4, prompt_tokens: [16, 256], output_tokens: [8, 64] },
    num_kv_blocks: 1024, max_num_batched_tokens: 512, max_num_seqs: 64, real_runs: 1,
  },
  imbalance: {
    // Chosen in the simulator over candidate configs (docs/fidelity.md): every other request is
    // long, so round-robin on two instances sends all the long ones to instance 0, whose 48
    // blocks (768 tokens; a long request needs up to 640) then preempt and queue, while the
    // load-aware dispatch of INFaaS++ and Llumnix spreads them. Simulated, round-robin's E2E
    // P99 is 1.8–3× the others' and its TTFT P99 3–14× at step times 1×, 2× and 4× an idle
    // machine's.
    description: 'Poisson 8 req/s; every other request long (prompts 128–256, outputs 128–384 tokens), the rest short (16–64, 8–32); 48 KV blocks per instance: round-robin sends every long request to one instance',
    trace: { requests: 60, rate_per_s: 8, prompt_tokens: [16, 64], output_tokens: [8, 32], long: { every: 2, prompt_tokens: [128, 256], output_tokens: [128, 384] } },
    num_kv_blocks: 48, max_num_batched_tokens: 512, max_num_seqs: 64, real_runs: 3,
  },
} as const satisfies Record<string, FidelityScenario>;

export type FidelityScenarioName = keyof typeof FIDELITY_SCENARIOS;
export const FIDELITY_SCENARIO_NAMES = Object.keys(FIDELITY_SCENARIOS) as FidelityScenarioName[];

export function fidelityScenario(name: string): FidelityScenario {
  if (!Object.hasOwn(FIDELITY_SCENARIOS, name)) throw new Error(`fidelity: unknown scenario "${name}"; expected one of ${FIDELITY_SCENARIO_NAMES.join(', ')}`);
  return FIDELITY_SCENARIOS[name as FidelityScenarioName];
}
