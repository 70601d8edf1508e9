// cluster.engine.prefill_token_budget: Vidur's (vLLM 0.2's) padded prefill cap reaches the v0
// engine, changes what a run batches, and is refused where it has no meaning (vLLM v1).
import test from 'ava';
import { ConfigError, parseRunConfig, simulate } from '../../sim/index.ts';
import { engineLimits } from '../../sim/run.ts';

// Prompts of 100–900 tokens arriving together: a 1,024-token cap fits several under Σ, fewer padded.
const config = (engine: Record<string, unknown>) =>
  parseRunConfig({
    seed: 3,
    cluster: { instances: 1, max_num_batched_tokens: 1024, engine },
    scheduler: { dispatch: { kind: 'round-robin' } },
    workload: {
      num_requests: 40,
      arrival: { kind: 'burst' },
      lengths: { prompt: { kind: 'uniform', mean_tokens: 500, range_tokens: 800 }, output: { kind: 'fixed', tokens: 4 } },
    },
    metrics: { steps: true },
  });

test('padded reaches the v0 engine limits; absent keeps the Σ rule (and config.json) as before', (t) => {
  t.is(engineLimits(config({ kind: 'vllm-v0', prefill_token_budget: 'padded' }).cluster).prefill_token_budget, 'padded');
  const plain = config({ kind: 'vllm-v0' });
  t.false('prefill_token_budget' in engineLimits(plain.cluster));
  t.false('prefill_token_budget' in (plain.cluster.engine ?? {}));
});

test('a padded run splits the same prompts into more, smaller prefill steps', (t) => {
  const prefillSteps = (budget?: string) => {
    const result = simulate(config({ kind: 'vllm-v0', ...(budget === undefined ? {} : { prefill_token_budget: budget }) }), { keepSteps: true });
    const steps = (result.records.steps ?? []).filter((s) => s.prefill_seqs > 0);
    t.true(steps.every((s) => s.prefill_tokens <= 1024));
    return steps;
  };
  const sum = prefillSteps();
  const padded = prefillSteps('padded');
  t.true(sum.some((s) => s.prefill_seqs > 1), 'the Σ rule batches several prompts');
  t.true(padded.length > sum.length, `${padded.length} padded vs ${sum.length} Σ prefill steps`);
  // The same prompts, all prefilled once either way (no preemption at this size).
  const prompts = (steps: typeof sum) => steps.reduce((n, s) => n + s.prefill_seqs, 0);
  t.is(prompts(padded), prompts(sum));
});

test('prefill_token_budget with vllm-v1 is refused naming the field', (t) => {
  const error = t.throws(() => engineLimits(config({ kind: 'vllm-v1', prefill_token_budget: 'padded' }).cluster));
  t.true(error instanceof ConfigError);
  t.regex(error?.message ?? '', /Expected cluster\.engine\.prefill_token_budget to be absent with kind vllm-v1.*received "padded"/);
  t.throws(() => config({ kind: 'vllm-v0', prefill_token_budget: 'max' }), { message: /cluster\.engine\.prefill_token_budget/ });
});
