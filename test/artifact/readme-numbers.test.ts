import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { quickstartBlock, quickstartSummaries, readmeBlock } from '../../artifact/readme-numbers.ts';

test("the README's quickstart table equals a fresh quickstart run (seed 0, 10,000 requests)", (t) => {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');
  const summaries = quickstartSummaries();
  // Mutation: a number typed or edited by hand in the table, or a preset change without
  // `npm run docs:readme`, makes the README differ from the fresh run.
  t.is(readmeBlock(readme), quickstartBlock(summaries));
  // The ordering the README states: Llumnix < INFaaS++ < Round-Robin on prefill mean, decode P99 and preemption loss.
  const [rr, inf, llumnix] = summaries;
  for (const get of [(s: typeof rr) => s!.prefill_latency_s.mean, (s: typeof rr) => s!.decode_latency_s.p99, (s: typeof rr) => s!.preemption_loss_s]) {
    t.true(get(llumnix) < get(inf) && get(inf) < get(rr));
  }
});
