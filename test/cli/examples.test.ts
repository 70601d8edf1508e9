import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { loadRunConfig } from '../../cli/load-config.ts';
import { simulate } from '../../sim/index.ts';

const dir = new URL('../../examples/', import.meta.url).pathname;
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

test('the README describes exactly the example configs that exist', (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const named = new Set([...readme.matchAll(/`(?:examples\/)?([\w-]+\.yaml)`/g)].map((m) => m[1]));
  t.deepEqual(examples.filter((f) => !named.has(f)), [], 'examples the README does not describe');
  const mentioned = [...readme.matchAll(/examples\/([\w-]+\.yaml)/g)].map((m) => m[1] ?? '');
  t.deepEqual(mentioned.filter((f) => !examples.includes(f)), [], 'examples the README names that do not exist');
  t.not(examples.length, 0);
});

for (const file of examples) {
  test(`examples/${file} validates and runs (first 300 requests)`, (t) => {
    const { config, baseDir } = loadRunConfig({ config: `${dir}${file}`, set: ['workload.num_requests=300'] });
    const result = simulate(config, { baseDir });
    t.is(result.requests.length, 300);
    t.is(result.requests.filter((r) => r.finish_s !== undefined).length + result.rejections.length, 300);
  });
}
