// The Outputs stream's columnar batch: every field of a delta survives the round trip through
// the real protobuf encoding, entries keep their order, and a malformed batch is refused.
import test from 'ava';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { GenerationDelta } from '../../backend/engine/types.ts';
import { PROTO_OPTIONS } from '../../backend/rpc/load-proto.ts';
import { fromOutputBatch, toOutputBatch, type OutputBatchMessage, type OutputEntry } from '../../backend/rpc/output-batch.ts';

// The Outputs method's own serializers, with the options the instance and the manager load it with.
const def = protoLoader.loadSync(fileURLToPath(new URL('../../backend/rpc/instance.proto', import.meta.url)), PROTO_OPTIONS);
const outputs = (def['fleetlab.instance.Instance'] as protoLoader.ServiceDefinition)['Outputs']!;
const wire = (m: OutputBatchMessage): OutputBatchMessage => outputs.responseDeserialize(outputs.responseSerialize(m)) as OutputBatchMessage;

const entries: OutputEntry[] = [
  { request_id: 'a', delta: { request_id: 'a', token_ids: [5], text: 'x', produced_unix_ms: 1.7e12 + 0.25, queue_time_s: 0.125, arrived_unix_ms: 1.7e12 - 3.5 } },
  { request_id: 'b', delta: { request_id: 'b', token_ids: [7, 8, 9], text: 'é', produced_unix_ms: 1.7e12 + 1 } },
  { request_id: 'c', error: 'engine step failed: out of memory' },
  { request_id: 'd', delta: { request_id: 'd', token_ids: [], text: '', migrated_to: '127.0.0.1:5001' } },
  {
    request_id: 'e',
    delta: { request_id: 'e', token_ids: [1], text: 'y', finish_reason: 'stop', logprobs: [{ token_id: 1, logprob: -0.5, top: [{ token_id: 1, logprob: -0.5 }, { token_id: 2, logprob: -1.25 }] }] },
  },
  { request_id: 'a', delta: { request_id: 'a', token_ids: [6], text: '', finish_reason: 'length' } },
];

test('every delta field, error and order survives the columnar batch on the wire', (t) => {
  const back = fromOutputBatch(wire(toOutputBatch(entries)));
  t.deepEqual(back, entries as unknown as OutputEntry[]);
});

test('an empty batch is empty', (t) => {
  t.deepEqual(fromOutputBatch(wire(toOutputBatch([]))), []);
});

test('columns of different lengths, or token counts that do not add up, are refused with what was expected', (t) => {
  const m = toOutputBatch(entries);
  t.throws(() => fromOutputBatch({ ...m, texts: m.texts.slice(1) }), { message: /6 request_ids but 6 token_counts, 5 texts/ });
  t.throws(() => fromOutputBatch({ ...m, token_ids: [...m.token_ids, 4] }), { message: /token_counts sum to 6 but 7 token_ids/ });
  t.throws(() => fromOutputBatch({ ...m, token_counts: m.token_counts.map((c, i) => (i === 1 ? 9 : c)) }), { message: /token_counts sum to 12 but 6 token_ids/ });
});

test('a delta without optional fields comes back without them (no zeros standing for "unknown")', (t) => {
  const plain: GenerationDelta = { request_id: 'p', token_ids: [3], text: 'z' };
  t.deepEqual(fromOutputBatch(wire(toOutputBatch([{ request_id: 'p', delta: plain }]))), [{ request_id: 'p', delta: plain }]);
});

test('a live migration\'s announcement (migrating_to) and its destination\'s first entry (resumes_at, 0 included; source_continues of a snapshot) survive the wire', (t) => {
  const migration: OutputEntry[] = [
    { request_id: 'm', delta: { request_id: 'm', token_ids: [], text: '', migrating_to: '127.0.0.1:5002' } },
    { request_id: 'n', delta: { request_id: 'n', token_ids: [], text: '', resumes_at: 0 } },
    { request_id: 'o', delta: { request_id: 'o', token_ids: [], text: '', resumes_at: 17 } },
    { request_id: 'o', delta: { request_id: 'o', token_ids: [4], text: 'q' } },
    { request_id: 's', delta: { request_id: 's', token_ids: [], text: '', resumes_at: 9, source_continues: true } },
  ];
  t.deepEqual(fromOutputBatch(wire(toOutputBatch(migration))), migration);
});
