// The instance side of the batched Outputs stream, against a fake gRPC call: deltas pushed in
// one turn of the event loop leave as one message, deltas wait for a subscriber that has not
// connected yet, a failed request ends with an error entry, and a subscriber that goes away
// takes its running requests with it (they are aborted).
import { EventEmitter } from 'node:events';
import test from 'ava';
import type * as grpc from '@grpc/grpc-js';
import { OutputBatches } from '../../backend/instance/output-batches.ts';
import { AsyncQueue } from '../../backend/engine/async-queue.ts';
import type { GenerationDelta } from '../../backend/engine/types.ts';
import { fromOutputBatch, type OutputBatchMessage } from '../../backend/rpc/output-batch.ts';

class FakeCall extends EventEmitter {
  readonly written: OutputBatchMessage[] = [];
  ended = false;
  write(m: OutputBatchMessage): boolean {
    this.written.push(m);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}
const asCall = (c: FakeCall) => c as unknown as grpc.ServerWritableStream<unknown, OutputBatchMessage>;
const turn = () => new Promise((r) => setImmediate(r));
const delta = (request_id: string, token: number, finish?: 'length'): GenerationDelta => ({ request_id, token_ids: [token], text: `t${token}`, ...(finish ? { finish_reason: finish } : {}) });
const ids = (m: OutputBatchMessage) => fromOutputBatch(m).map((e) => `${e.request_id}:${e.delta?.token_ids.join(',') ?? e.error}`);

test('one message per turn with every request\'s delta; buffered until the subscriber connects', async (t) => {
  const batches = new OutputBatches(() => undefined);
  const a = new AsyncQueue<GenerationDelta>();
  const b = new AsyncQueue<GenerationDelta>();
  batches.forward('s', 'a', a);
  batches.forward('s', 'b', b);
  a.push(delta('a', 1));
  b.push(delta('b', 2));
  await turn();
  await turn();
  const call = new FakeCall();
  batches.subscribe('s', asCall(call));
  await turn();
  t.deepEqual(call.written.map(ids), [['a:1', 'b:2']], 'what came before the subscriber, in one message');
  a.push(delta('a', 3));
  b.push(delta('b', 4, 'length'));
  b.close();
  await turn();
  await turn();
  t.deepEqual(call.written.map(ids), [['a:1', 'b:2'], ['a:3', 'b:4']]);
});

test('a request whose stream fails ends with an error entry', async (t) => {
  const batches = new OutputBatches(() => undefined);
  const call = new FakeCall();
  batches.subscribe('s', asCall(call));
  const q = new AsyncQueue<GenerationDelta>();
  batches.forward('s', 'x', q);
  q.close(new Error('engine step failed: boom'));
  await turn();
  await turn();
  t.deepEqual(call.written.map(ids), [['x:engine step failed: boom']]);
});

test('a subscriber that goes away aborts its running requests, and only its own', async (t) => {
  const aborted: string[] = [];
  const batches = new OutputBatches((id) => aborted.push(id));
  const mine = new FakeCall();
  const other = new FakeCall();
  batches.subscribe('mine', asCall(mine));
  batches.subscribe('other', asCall(other));
  const done = new AsyncQueue<GenerationDelta>();
  batches.forward('mine', 'finished', done);
  batches.forward('mine', 'running', new AsyncQueue<GenerationDelta>());
  batches.forward('other', 'theirs', new AsyncQueue<GenerationDelta>());
  done.push(delta('finished', 1, 'length'));
  done.close();
  await turn();
  mine.emit('cancelled');
  t.deepEqual(aborted, ['running']);
});
