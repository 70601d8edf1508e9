import test from 'ava';
import { createRequestSelector } from '../../policies/index.ts';
import { running } from './helpers.ts';

const lcfs = createRequestSelector({ kind: 'LCFS' });
const sr = createRequestSelector({ kind: 'SR' });
const lr = createRequestSelector({ kind: 'LR' });

test('LCFS: the last admitted request that is normal, decoding and not migrating', (t) => {
  const batch = [
    running(1, { admit_order: 0 }),
    running(2, { admit_order: 1 }),
    running(3, { admit_order: 2, migrating: true }),
    running(4, { admit_order: 3, priority: 'high' }),
    running(5, { admit_order: 4, output_tokens: 0 }),
  ];
  // The artifact would take running[-1] (request 5, still in prefill); we take request 2.
  t.is(lcfs.select(batch), 2);
});

test('LCFS: none eligible (only high priority) → undefined', (t) => {
  t.is(lcfs.select([running(1, { priority: 'high' })]), undefined);
  t.is(lcfs.select([]), undefined);
});

test('SR / LR: shortest / longest length, ties → earlier admit order, then lower id', (t) => {
  const batch = [
    running(1, { length_tokens: 300, admit_order: 2 }),
    running(2, { length_tokens: 100, admit_order: 1 }),
    running(3, { length_tokens: 100, admit_order: 0 }),
    running(4, { length_tokens: 900, admit_order: 3 }),
    running(5, { length_tokens: 900, admit_order: 3 }),
    running(6, { length_tokens: 10, migrating: true }),
  ];
  t.is(sr.select(batch), 3);
  t.is(lr.select(batch), 4);
});

test('SR / LR: normal priority only; high priority only from a draining instance with no normal left', (t) => {
  const mixed = [running(1, { length_tokens: 10, priority: 'high' }), running(2, { length_tokens: 500 })];
  t.is(sr.select(mixed), 2);
  t.is(sr.select(mixed, { draining: true }), 2);
  // Moving high-priority work off a merely loaded instance would spread it over the fleet.
  t.is(sr.select([running(1, { priority: 'high' })]), undefined);
  t.is(sr.select([running(1, { priority: 'high' })], { draining: false }), undefined);
  t.is(sr.select([running(1, { priority: 'high' })], { draining: true }), 1);
  t.is(lr.select([running(1, { output_tokens: 0 })], { draining: true }), undefined);
});

test('LCFS drains high-priority work too, once no normal request is left', (t) => {
  const lcfs = createRequestSelector({ kind: 'LCFS' });
  t.is(lcfs.select([running(1, { priority: 'high' })]), undefined);
  t.is(lcfs.select([running(1, { priority: 'high' })], { draining: true }), 1);
});
