import { readdirSync } from 'node:fs';
import test from 'ava';
import { loadRunConfig } from '../../cli/load-config.ts';
import { simulate } from '../../sim/index.ts';

const dir = new URL('../../examples/', import.meta.url).pathname;
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

test('there are example configs', (t) => {
  t.true(examples.length >= 3);
});

for (const file of examples) {
  test(`examples/${file} validates and runs (first 300 requests)`, (t) => {
    const { config, baseDir } = loadRunConfig({ config: `${dir}${file}`, set: ['workload.num_requests=300'] });
    const result = simulate(config, { baseDir });
    t.is(result.requests.length, 300);
    t.is(result.requests.filter((r) => r.finish_s !== undefined).length + result.rejections.length, 300);
  });
}
