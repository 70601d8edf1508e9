import test from 'ava';
import { ConfigError, generateWorkload, parseWorkloadConfig, type WorkloadConfigInput } from '../../traces/index.ts';
import { fixtureDir, stream, streams } from './helpers.ts';

const base: WorkloadConfigInput = {
  num_requests: 2000,
  arrival: { kind: 'gamma', rate_per_s: 4, cv: 2 },
  lengths: { prompt: { kind: 'zipf', mean_tokens: 256 }, output: { kind: 'quantile_preset', name: 'sharegpt_output' } },
  priority: { high_ratio: 0.1 },
};

test('ids 0..n−1 in arrival order, first arrival at 0, valid specs', (t) => {
  const reqs = generateWorkload(base, streams('a'));
  t.is(reqs.length, 2000);
  t.is(reqs[0]?.arrival_s, 0);
  reqs.forEach((r, i) => {
    t.is(r.id, i);
    if (i > 0) t.true(r.arrival_s >= (reqs[i - 1]?.arrival_s ?? 0));
    t.true(Number.isInteger(r.prompt_tokens) && r.prompt_tokens >= 1 && Number.isInteger(r.output_tokens) && r.output_tokens >= 1);
    t.false('model' in r);
  });
});

test('determinism: same streams → identical; another seed → different', (t) => {
  t.deepEqual(generateWorkload(base, streams('same')), generateWorkload(base, streams('same')));
  t.notDeepEqual(generateWorkload(base, streams('same')), generateWorkload(base, streams('other')));
});

test('streams are independent: changing one component leaves the others untouched', (t) => {
  const a = generateWorkload(base, streams('iso'));
  const b = generateWorkload({ ...base, arrival: { kind: 'poisson', rate_per_s: 9 } }, streams('iso'));
  t.deepEqual(a.map((r) => [r.prompt_tokens, r.output_tokens, r.priority]), b.map((r) => [r.prompt_tokens, r.output_tokens, r.priority]));
  const c = generateWorkload({ ...base, lengths: { prompt: { kind: 'fixed', tokens: 7 }, output: { kind: 'fixed', tokens: 9 } } }, streams('iso'));
  t.deepEqual(a.map((r) => [r.arrival_s, r.priority]), c.map((r) => [r.arrival_s, r.priority]));
});

test('priority: each request high with probability high_ratio', (t) => {
  const reqs = generateWorkload({ ...base, num_requests: 20_000, priority: { high_ratio: 0.1 } }, streams('prio'));
  const share = reqs.filter((r) => r.priority === 'high').length / reqs.length;
  t.true(Math.abs(share - 0.1) < 0.01, String(share));
  t.true(generateWorkload({ ...base, priority: { high_ratio: 0 } }, streams('p0')).every((r) => r.priority === 'normal'));
});

test('model mix follows the weights; a models stream keeps priorities unchanged', (t) => {
  const cfg = { ...base, num_requests: 10_000, models: [{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }] };
  const reqs = generateWorkload(cfg, { ...streams('mix'), models: stream('mix/models') });
  const share = reqs.filter((r) => r.model === 'a').length / reqs.length;
  t.true(Math.abs(share - 0.75) < 0.02, String(share));
  const plain = generateWorkload({ ...base, num_requests: 10_000 }, streams('mix'));
  t.deepEqual(reqs.map((r) => r.priority), plain.map((r) => r.priority));
  // Without a models stream the draws continue on the priorities stream, after the priorities.
  const shared = generateWorkload(cfg, streams('mix'));
  t.deepEqual(shared.map((r) => r.priority), plain.map((r) => r.priority));
});

test('replay + paired sequential reproduces a trace exactly, sorted by arrival', (t) => {
  const dir = fixtureDir({ 'tr.csv': 'arrived_at,num_prefill_tokens,num_decode_tokens\n10,1,2\n12,3,4\n11,5,6\n' });
  const trace = { format: 'vidur' as const, path: 'tr.csv', time_scale: 0.5 };
  const reqs = generateWorkload(
    { num_requests: 3, arrival: { kind: 'replay', trace }, lengths: { paired: { trace, order: 'sequential' } } },
    streams('r'),
    { baseDir: dir },
  );
  t.deepEqual(reqs.map((r) => [r.id, r.arrival_s, r.prompt_tokens, r.output_tokens]), [
    [0, 0, 1, 2],
    [1, 0.5, 5, 6],
    [2, 1, 3, 4],
  ]);
  const err = t.throws(() =>
    generateWorkload({ num_requests: 4, arrival: { kind: 'replay', trace }, lengths: { paired: { trace } } }, streams('r'), { baseDir: dir }),
  );
  t.regex(err.message, /at most 3 requests/);
});

test('file lengths from a builtin trace: sampled with replacement, capped', (t) => {
  const reqs = generateWorkload(
    {
      num_requests: 500,
      arrival: { kind: 'poisson', rate_per_s: 1 },
      lengths: { paired: { trace: 'builtin:sharegpt', cap_tokens: 1000 } },
    },
    streams('f'),
  );
  t.true(reqs.every((r) => r.prompt_tokens <= 1000 && r.output_tokens <= 1000));
  const indep = generateWorkload(
    {
      num_requests: 50,
      arrival: { kind: 'burst' },
      lengths: { prompt: { kind: 'file', trace: 'builtin:azure-code', order: 'sequential' }, output: { kind: 'fixed', tokens: 1 } },
    },
    streams('f'),
  );
  t.deepEqual(indep.slice(0, 2).map((r) => r.prompt_tokens), [4808, 3180]);
});

const badConfigs: [string, unknown, RegExp][] = [
  ['negative rate', { ...base, arrival: { kind: 'poisson', rate_per_s: -2 } }, /^Expected arrival\.rate_per_s > 0, received -2$/m],
  ['unknown arrival kind', { ...base, arrival: { kind: 'weibull' } }, /Expected arrival\.kind to be one of "poisson" \| .*, received "weibull"/],
  ['cv and burstiness', { ...base, arrival: { kind: 'gamma', rate_per_s: 1, cv: 2, burstiness: 0.25 } }, /Expected arrival to be exactly one of cv or burstiness/],
  ['fractional count', { ...base, num_requests: 2.5 }, /Expected num_requests to be an integer, received 2.5/],
  ['ratio above 1', { ...base, priority: { high_ratio: 1.5 } }, /Expected priority\.high_ratio <= 1, received 1.5/],
  ['uniform below 1 token', { ...base, lengths: { prompt: { kind: 'uniform', mean_tokens: 10, range_tokens: 40 }, output: { kind: 'fixed', tokens: 1 } } }, /Expected lengths\.prompt\.range_tokens to be mean_tokens − range_tokens\/2 >= 1/],
  ['bad knots', { ...base, lengths: { prompt: { kind: 'quantiles', points: [[0, 5], [0.5, 3], [1, 9]] }, output: { kind: 'fixed', tokens: 1 } } }, /Expected lengths\.prompt\.points to be non-decreasing token values/],
  ['unknown builtin', { ...base, lengths: { paired: { trace: 'builtin:nope' } } }, /Expected lengths\.paired\.trace to be one of "builtin:sharegpt"/],
  ['bad trace option', { ...base, lengths: { paired: { trace: { format: 'azure', path: 'x.csv', time_scale: 0 } } } }, /Expected lengths\.paired\.trace\.time_scale > 0, received 0/],
  ['unknown key', { ...base, rate: 3 }, /^Expected rate to be absent \(not a known option\), received 3$/m],
  ['paired and prompt', { ...base, lengths: { paired: { trace: 'builtin:sharegpt' }, prompt: { kind: 'fixed', tokens: 1 } } }, /Expected lengths to be either both prompt and output, or paired alone/],
];
for (const [name, cfg, message] of badConfigs) {
  test(`config error names field, value and expectation: ${name}`, (t) => {
    const err = t.throws(() => parseWorkloadConfig(cfg), { instanceOf: ConfigError });
    t.regex(err.message, message);
  });
}

test('ConfigError lists every issue with its option', (t) => {
  const err = t.throws(() => generateWorkload({ ...base, num_requests: 0, arrival: { kind: 'uniform', rate_per_s: 0 } }, streams('e')), {
    instanceOf: ConfigError,
  });
  t.deepEqual(err.issues.map((i) => i.option), ['num_requests', 'arrival.rate_per_s']);
});
