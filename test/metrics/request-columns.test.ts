import test from 'ava';
import { RequestColumns, type RequestRecord } from '../../metrics/index.ts';

// A record with every kind of field: optional times set or not, recomputes, a rejection.
function record(id: number, i: number): RequestRecord {
  const finished = i % 3 !== 0;
  return {
    id,
    priority: i % 4 === 0 ? 'high' : 'normal',
    instance: i % 5 === 0 ? -1 : i % 7,
    arrival_s: i * 0.1 + 1 / 3,
    prompt_tokens: 100 + i,
    output_tokens: i % 9,
    first_scheduled_s: finished ? i * 0.1 + 0.5 : undefined,
    first_token_s: finished ? i * 0.1 + Math.PI : undefined,
    last_token_s: finished ? i * 0.1 + 7.25 : undefined,
    finish_s: finished ? i * 0.1 + 7.25 : undefined,
    execution_s: i * 1e-3,
    preemptions: i % 6 === 0 ? 1 : 0,
    migrations: i % 8,
    recomputes: i % 6 === 0 ? [{ killed_s: i, output_tokens: 3, readmit_s: i + 0.5, end_s: i + 0.75 }] : [],
    ...(i % 11 === 0 ? { rejected: `needs ${i} blocks, beyond one instance` } : {}),
  };
}

test('records read back by id equal the records added (every field, undefined times, rejections, recomputes), past several growths', (t) => {
  const n = 5000;
  // Added in a scrambled order (requests leave in finish order), ids 0..n-1 each once.
  const ids = Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const columns = new RequestColumns();
  for (const [i, id] of ids.entries()) columns.add(record(id, i));
  const expected = ids.map((id, i) => record(id, i)).sort((a, b) => a.id - b.id);
  const list = columns.byId();
  t.is(list.length, n);
  t.deepEqual([...list], expected);
  // Read twice: the same records again.
  t.deepEqual([...list].map((r) => r.id), expected.map((r) => r.id));
});

test('ids that are not 0..n-1 each once are sorted by id, equal ids in the order added', (t) => {
  const columns = new RequestColumns();
  const added = [record(40, 1), record(7, 2), record(40, 3), record(-2, 4)];
  for (const r of added) columns.add(r);
  t.deepEqual([...columns.byId()], [added[3], added[1], added[0], added[2]]);
  t.deepEqual(columns.at(1), added[1]);
  t.throws(() => columns.at(4), { message: /row 4 outside \[0, 4\)/ });
});
