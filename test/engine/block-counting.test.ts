import test from 'ava';
import { BlockManager, createEngine, EngineInvariantError, NO_BLOCK_ID } from '../../engine/index.ts';
import { stopAtOutput, TestSeq } from './helpers.ts';

test('a counting block manager keeps a count: allocations take from it, releases give back, no ids', (t) => {
  const blocks = new BlockManager(10, 16, false, false);
  t.false(blocks.ids);
  const table: number[] = [];
  t.true(blocks.allocateInto(table, 4));
  t.deepEqual(table, [], 'no ids appended');
  t.is(blocks.free_blocks, 6);
  t.false(blocks.allocateInto(table, 7), 'more than free: refused');
  t.is(blocks.free_blocks, 6, 'a refusal takes nothing');
  t.deepEqual(blocks.allocate(2), [NO_BLOCK_ID, NO_BLOCK_ID], 'a reservation is a count of placeholder ids');
  t.is(blocks.free_blocks, 4);
  blocks.release(6);
  t.is(blocks.free_blocks, 10);
  t.is(blocks.cached_blocks, 0);
  blocks.check();
});

test('a counting block manager refuses what needs ids, and a release beyond its total', (t) => {
  const blocks = new BlockManager(10, 16, false, false);
  t.throws(() => blocks.free([0]), { instanceOf: EngineInvariantError, message: /counting block manager frees a number of blocks/ });
  t.throws(() => blocks.refCount(0), { instanceOf: EngineInvariantError, message: /no block ids/ });
  t.throws(() => blocks.release(1), { instanceOf: EngineInvariantError, message: /1 blocks released with 10 of 10 already free/ });
  t.throws(() => new BlockManager(10, 16, true, false), { instanceOf: RangeError, message: /cannot cache prefixes/ });
  t.throws(() => new BlockManager(10, 16, false, true).release(1), { instanceOf: EngineInvariantError, message: /by id/ });
});

test('a counting engine: blocks_held is the count, the table stays empty, conservation is checked', (t) => {
  const limits = { total_blocks: 20, watermark_blocks: 1, block_size_tokens: 4, max_num_batched_tokens: 64, max_num_seqs: 4 };
  const engine = createEngine<TestSeq>('vllm-v0', limits, { block_ids: false });
  const seq = new TestSeq(0, 10, 3, 0);
  engine.enqueue(seq);
  const plan = engine.schedule();
  t.is(plan?.prefills.length, 1);
  t.is(seq.blocks, 3, '⌈10 / 4⌉ blocks for the prompt');
  t.deepEqual(seq.block_table, []);
  t.is(engine.free_blocks, 17);
  engine.checkBlocks();
  t.throws(() => engine.blockIds(seq), { instanceOf: EngineInvariantError, message: /keeps no block ids/ });
  // Conservation catches a count that drifted.
  seq.blocks_held++;
  t.throws(() => engine.checkBlocks(), { instanceOf: EngineInvariantError, message: /17 free \+ 4 held \+ 0 pre-allocated = 21 blocks, not 20/ });
  seq.blocks_held--;
  // Reservations count too, and are given back by count.
  const reserved = engine.reserve(5) as number[];
  t.is(engine.snapshot().reserved_blocks, 5);
  engine.checkBlocks();
  t.throws(() => engine.releaseReservation([...reserved, NO_BLOCK_ID]), { instanceOf: EngineInvariantError, message: /6 blocks given back, 5 pre-allocated/ });
  engine.releaseReservation(reserved);
  t.is(engine.free_blocks, 17);
  engine.update(plan!, stopAtOutput);
  for (let step = 0; step < 10 && !engine.idle; step++) {
    const p = engine.schedule();
    if (p !== undefined) engine.update(p, stopAtOutput);
    engine.checkBlocks();
  }
  t.true(engine.idle);
  t.is(seq.status, 'finished');
  t.is(seq.blocks, 0);
  t.is(engine.free_blocks, 20);
});
