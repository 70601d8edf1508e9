// followStream against scripted instance streams (no processes): a migration announced with
// `migrating_to` is attached ahead; the destination's stream takes over once the client has
// every token its COMMIT resumed from (`resumes_at`), or at the source's `migrated_to`, never
// earlier (no gap, no duplicate, order kept); an attachment whose migration went elsewhere or
// nowhere is cancelled; one that failed before its first delta is made again the ordinary way. The real processes are covered by test/engine-real/migration*.test.ts.
import test from 'ava';
import { AsyncQueue } from '../../backend/engine/async-queue.ts';
import type { GenerationDelta, GenerationRequest } from '../../backend/engine/types.ts';
import { followStream, type FollowHooks } from '../../backend/manager/follow-stream.ts';

const request: GenerationRequest = {
  request_id: 'r', prompt_token_ids: [1, 2],
  sampling: { max_tokens: 10, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: true },
};
const tok = (...token_ids: number[]): GenerationDelta => ({ request_id: 'r', token_ids, text: '' });
const announce = (to: string): GenerationDelta => ({ request_id: 'r', token_ids: [], text: '', migrating_to: to });
const marker = (to: string): GenerationDelta => ({ request_id: 'r', token_ids: [], text: '', migrated_to: to });
const last = (...token_ids: number[]): GenerationDelta => ({ ...tok(...token_ids), finish_reason: 'length' });
const resumes = (at: number): GenerationDelta => ({ request_id: 'r', token_ids: [], text: '', resumes_at: at });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A stream that has ended after `deltas`. */
function queueOf(...deltas: GenerationDelta[]): AsyncQueue<GenerationDelta> {
  const q = new AsyncQueue<GenerationDelta>();
  for (const d of deltas) q.push(d);
  q.close();
  return q;
}

/** Hooks over named instances; records what was attached, ahead or not, and which attachments were cancelled. */
function hooks(streams: Record<string, () => AsyncIterable<GenerationDelta>>) {
  const log: string[] = [];
  const signals: Record<string, AbortSignal> = {};
  const h: FollowHooks<string> = {
    died: async () => false,
    resume: () => {
      throw new Error('no instance dies here');
    },
    moved: (address, _from, ahead) => {
      log.push(`moved ${address}${ahead === undefined ? '' : ' (ahead)'}`);
      return { instance: address, stream: ahead ?? streams[address]!() };
    },
    attachAhead: (address, _from, signal) => {
      log.push(`ahead ${address}`);
      signals[address] = signal;
      signal.addEventListener('abort', () => log.push(`cancelled ${address}`));
      return streams[address]!();
    },
  };
  return { h, log, signals };
}

async function collect(stream: AsyncIterable<GenerationDelta>): Promise<{ tokens: number[]; deltas: GenerationDelta[] }> {
  const deltas: GenerationDelta[] = [];
  for await (const d of stream) deltas.push(d);
  return { tokens: deltas.flatMap((d) => d.token_ids), deltas };
}

test('an announced migration is attached ahead; its tokens wait for the source\'s marker, none lost or repeated', async (t) => {
  const src = new AsyncQueue<GenerationDelta>();
  // The destination's first tokens arrive before the source's last ones and its marker.
  const dst = new AsyncQueue<GenerationDelta>();
  dst.push(tok(4));
  dst.push(tok(5));
  const { h, log } = hooks({ b: () => dst });
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(tok(1));
  src.push(announce('b'));
  src.push(tok(2));
  src.push(tok(3));
  await new Promise((r) => setImmediate(r));
  src.push(marker('b'));
  src.close();
  dst.push(last(6));
  dst.close();
  const { tokens, deltas } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4, 5, 6]);
  t.true(deltas.every((d) => d.migrating_to === undefined && d.migrated_to === undefined), 'the client sees neither announcement nor marker');
  t.deepEqual(log, ['ahead b', 'moved b (ahead)']);
});

test('a migration that aborted leaves the request on its source: the attachment ahead is cancelled', async (t) => {
  const { h, log } = hooks({ b: () => queueOf() });
  const { tokens } = await collect(followStream(request, { instance: 'a', stream: queueOf(tok(1), announce('b'), tok(2), last(3)) }, h));
  t.deepEqual(tokens, [1, 2, 3]);
  t.deepEqual(log, ['ahead b', 'cancelled b']);
});

test('announced again to the same destination: attached again, the first not cancelled; to another: the first is cancelled', async (t) => {
  const { h, log } = hooks({ b: () => queueOf(last(9)), c: () => queueOf(last(7)) });
  const same = await collect(followStream(request, { instance: 'a', stream: queueOf(tok(1), announce('b'), tok(2), announce('b'), marker('b')) }, h));
  t.deepEqual(same.tokens, [1, 2, 9]);
  t.deepEqual(log.splice(0), ['ahead b', 'ahead b', 'moved b (ahead)']);
  const other = await collect(followStream(request, { instance: 'a', stream: queueOf(tok(1), announce('b'), tok(2), announce('c'), marker('c')) }, h));
  t.deepEqual(other.tokens, [1, 2, 7]);
  t.deepEqual(log, ['ahead b', 'cancelled b', 'ahead c', 'moved c (ahead)']);
});

test('a marker naming another instance than the announced one attaches there the ordinary way and cancels the announced one', async (t) => {
  const { h, log } = hooks({ b: () => queueOf(), c: () => queueOf(last(8)) });
  const { tokens } = await collect(followStream(request, { instance: 'a', stream: queueOf(tok(1), announce('b'), marker('c')) }, h));
  t.deepEqual(tokens, [1, 8]);
  t.deepEqual(log, ['ahead b', 'cancelled b', 'moved c']);
});

test('an attachment ahead that fails before its first delta is made again after the marker', async (t) => {
  let attempts = 0;
  const { h, log } = hooks({
    b: () => {
      attempts++;
      const q = new AsyncQueue<GenerationDelta>();
      if (attempts === 1) q.close(new Error('NOT_FOUND: no migrated request r waits to be attached here'));
      else q.push(last(5));
      q.close();
      return q;
    },
  });
  const { tokens } = await collect(followStream(request, { instance: 'a', stream: queueOf(tok(1), announce('b'), marker('b')) }, h));
  t.deepEqual(tokens, [1, 5]);
  t.deepEqual(log, ['ahead b', 'moved b (ahead)', 'moved b']);
});

test('the client going away cancels an attachment ahead (through the request\'s signal)', async (t) => {
  const client = new AbortController();
  const src = new AsyncQueue<GenerationDelta>();
  const { h, signals } = hooks({ b: () => new AsyncQueue<GenerationDelta>() });
  const out = followStream(request, { instance: 'a', stream: src }, h, client.signal)[Symbol.asyncIterator]();
  src.push(tok(1));
  src.push(announce('b'));
  src.push(tok(2));
  t.deepEqual((await out.next()).value?.token_ids, [1]);
  t.deepEqual((await out.next()).value?.token_ids, [2]);
  t.false(signals['b']!.aborted);
  client.abort();
  t.true(signals['b']!.aborted);
  await out.return?.(undefined);
});

test('the destination takes over as soon as its COMMIT resumed from exactly the tokens the client has, before the source\'s marker', async (t) => {
  const src = new AsyncQueue<GenerationDelta>();
  const dst = new AsyncQueue<GenerationDelta>();
  const { h, log } = hooks({ b: () => dst });
  const seen: number[] = [];
  const done = (async () => {
    for await (const d of followStream(request, { instance: 'a', stream: src }, h)) seen.push(...d.token_ids);
  })();
  src.push(tok(1));
  src.push(announce('b'));
  src.push(tok(2));
  await tick();
  // COMMIT with 3 tokens: the client has 2; the source's third is still on its way.
  dst.push(resumes(3));
  dst.push(tok(4));
  await tick();
  t.deepEqual(seen, [1, 2], 'nothing from the destination before the source\'s last token');
  src.push(tok(3));
  await tick();
  t.deepEqual(seen, [1, 2, 3, 4], 'the destination\'s token follows without the source\'s marker');
  dst.push(last(5));
  dst.close();
  await done;
  t.deepEqual(seen, [1, 2, 3, 4, 5]);
  t.deepEqual(log, ['ahead b', 'moved b (ahead)']);
  // The marker still arrives on the abandoned source stream; nothing reads it and nothing breaks.
  src.push(marker('b'));
  src.close();
});

test('a destination that resumed from fewer tokens than the source sent is not followed: the request goes on from its source', async (t) => {
  const dst = new AsyncQueue<GenerationDelta>();
  dst.push(resumes(1));
  dst.push(tok(2));
  const { h, log } = hooks({ b: () => dst });
  const src = new AsyncQueue<GenerationDelta>();
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(tok(1));
  src.push(tok(2));
  src.push(announce('b'));
  await tick();
  src.push(tok(3));
  src.push(last(4));
  src.close();
  t.deepEqual((await out).tokens, [1, 2, 3, 4]);
  t.deepEqual(log, ['ahead b', 'cancelled b']);
});

// ---- Snapshot last stage: the source keeps decoding after the COMMIT; the destination catches up ----

const snapshot = (at: number): GenerationDelta => ({ ...resumes(at), source_continues: true });

/** `hooks` with `leave` recorded (the source is stopped after the switch). */
function leavingHooks(streams: Record<string, () => AsyncIterable<GenerationDelta>>) {
  const x = hooks(streams);
  x.h.leave = (from) => x.log.push(`left ${from}`);
  return x;
}

test('snapshot: the destination takes over when it delivers the client\'s next token first; its duplicates are dropped, the source is stopped', async (t) => {
  const src = new AsyncQueue<GenerationDelta>();
  const dst = new AsyncQueue<GenerationDelta>();
  const { h, log } = leavingHooks({ b: () => dst });
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(tok(1));
  src.push(announce('b'));
  src.push(tok(2));
  await tick();
  // Snapshot after 2 tokens; the source goes on to 4 before the destination catches up.
  dst.push(snapshot(2));
  src.push(tok(3));
  src.push(tok(4));
  await tick();
  await tick();
  dst.push(tok(3)); // replayed from the source's catch-up: the client has it
  dst.push(tok(4));
  await tick();
  dst.push(tok(5)); // first: starts at the client's next token
  await tick();
  src.push(tok(5)); // the source's, never read
  src.push(last(6));
  src.close();
  dst.push(last(6));
  dst.close();
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4, 5, 6]);
  t.deepEqual(log, ['ahead b', 'left a', 'moved b (ahead)']);
});

test('snapshot: a destination that keeps arriving second takes over after CATCH_UP_PATIENCE tokens held exactly, without a gap or a duplicate', async (t) => {
  const src = new AsyncQueue<GenerationDelta>();
  const dst = new AsyncQueue<GenerationDelta>();
  const { h, log } = leavingHooks({ b: () => dst });
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(announce('b'));
  src.push(tok(1));
  await tick();
  dst.push(snapshot(1));
  await tick();
  // Lockstep: each token reaches the client from the source first, then from the destination.
  for (const k of [2, 3]) {
    src.push(tok(k));
    await tick();
    await tick();
    dst.push(tok(k));
    await tick();
    await tick();
  }
  // Switched after token 3 (held exactly twice): the source's 4 is never read.
  src.push(tok(4));
  src.close();
  dst.push(tok(4));
  dst.push(last(5));
  dst.close();
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4, 5]);
  t.deepEqual(log, ['ahead b', 'left a', 'moved b (ahead)']);
});

test('snapshot: destination tokens beyond what the client has yet are kept until the source\'s stream reaches them', async (t) => {
  const src = new AsyncQueue<GenerationDelta>();
  const dst = new AsyncQueue<GenerationDelta>();
  const { h } = leavingHooks({ b: () => dst });
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(announce('b'));
  await tick();
  // The snapshot holds 2 tokens the client has not received from the source yet.
  dst.push(snapshot(2));
  dst.push(tok(3));
  dst.push(tok(4));
  await tick();
  await tick();
  src.push(tok(1));
  src.push(tok(2));
  await tick();
  await tick();
  dst.push(last(5));
  dst.close();
  src.push(tok(3));
  src.close();
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4, 5]);
});

test('snapshot: a destination that fails before taking over leaves the request on its source, which is not stopped', async (t) => {
  const src = new AsyncQueue<GenerationDelta>();
  const dst = new AsyncQueue<GenerationDelta>();
  const { h, log } = leavingHooks({ b: () => dst });
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(announce('b'));
  src.push(tok(1));
  src.push(tok(2));
  await tick();
  dst.push(snapshot(1));
  await tick();
  dst.close(new Error('instance b died'));
  await tick();
  src.push(tok(3));
  src.push(last(4));
  src.close();
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4]);
  t.deepEqual(log, ['ahead b', 'cancelled b']);
});

test('snapshot: the request finishing on its source first ends the stream and cancels the destination', async (t) => {
  const src = queueOf(announce('b'), tok(1), tok(2), last(3));
  const dst = new AsyncQueue<GenerationDelta>();
  dst.push(snapshot(1));
  const { h, log } = leavingHooks({ b: () => dst });
  const { tokens } = await collect(followStream(request, { instance: 'a', stream: src }, h));
  t.deepEqual(tokens, [1, 2, 3]);
  t.deepEqual(log, ['ahead b', 'cancelled b']);
});

// ---- Snapshot last stage, the source dying while its destination catches up ----

/** `leavingHooks` where instance `a` is dead once its stream breaks, and a resume (recompute) is recorded and served by `c`. */
function deadSourceHooks(streams: Record<string, () => AsyncIterable<GenerationDelta>>) {
  const x = leavingHooks(streams);
  x.h.died = async (instance) => instance === 'a';
  x.h.resume = (resumed) => {
    x.log.push(`resumed from ${resumed.resume_output_token_ids?.length ?? 0} on c`);
    return { instance: 'c', stream: streams['c']!() };
  };
  return x;
}

/** Source `a` announces `b`, sends 1, `b` commits a snapshot of 1, `a` sends 2 and 3 and dies; a recompute goes to `c`. */
/** A stream on 'a' with a migration to 'b' announced and token 1 sent; 'c' is the recompute's instance. */
function announcedWithOneToken(c: () => AsyncIterable<GenerationDelta>) {
  const src = new AsyncQueue<GenerationDelta>();
  const dst = new AsyncQueue<GenerationDelta>();
  const { h, log } = deadSourceHooks({ b: () => dst, c });
  const out = collect(followStream(request, { instance: 'a', stream: src }, h));
  src.push(announce('b'));
  src.push(tok(1));
  return { src, dst, out, log };
}

async function snapshotThenSourceDies(c: () => AsyncIterable<GenerationDelta>) {
  const { src, dst, out, log } = announcedWithOneToken(c);
  await tick();
  dst.push(snapshot(1));
  await tick();
  src.push(tok(2));
  src.push(tok(3));
  await tick();
  await tick();
  src.close(new Error('instance a died'));
  await tick();
  return { dst, out, log };
}

test('snapshot: a source dying while its destination catches up leaves the request there: its tokens the client has are checked and dropped, no recompute', async (t) => {
  const { dst, out, log } = await snapshotThenSourceDies(() => queueOf(last(9)));
  // The destination, alone now, produces 2 and 3 again (the client has them), then goes on.
  dst.push(tok(2));
  dst.push(tok(3));
  dst.push(tok(4));
  dst.push(last(5));
  dst.close();
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4, 5]);
  t.deepEqual(log, ['ahead b', 'moved b (ahead)']);
});

test('snapshot: a destination ahead of the client when its source died (the client never got a token the snapshot holds) is given up: recomputed, no gap', async (t) => {
  const { src, dst, out, log } = announcedWithOneToken(() => queueOf(last(9)));
  await tick();
  dst.push(snapshot(2)); // the snapshot holds a token the client has not received yet
  dst.push(tok(3));
  await tick();
  await tick();
  src.close(new Error('instance a died'));
  await tick();
  dst.push(tok(4));
  dst.push(last(5));
  dst.close();
  // Token 2 never reached the client and the destination will not send it: recomputed elsewhere.
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 9]);
  t.deepEqual(log, ['ahead b', 'cancelled b', 'resumed from 1 on c']);
});

for (const [name, dstTokens] of [
  ['disagrees with the client\'s tokens', [[2], [7]]],
  ['straddles the client\'s count (a catch-up chunk)', [[2, 3, 4]]],
] as const) {
  test(`snapshot: a destination that ${name} after its source died is given up: the request is recomputed from the client's tokens`, async (t) => {
    const { dst, out, log } = await snapshotThenSourceDies(() => queueOf(tok(4), last(5)));
    for (const ids of dstTokens) dst.push(tok(...ids));
    await tick();
    const { tokens } = await out;
    t.deepEqual(tokens, [1, 2, 3, 4, 5]);
    t.deepEqual(log, ['ahead b', 'cancelled b', 'resumed from 3 on c']);
  });
}

test('snapshot: a destination that fails after its source died is given up for the recompute', async (t) => {
  const { dst, out, log } = await snapshotThenSourceDies(() => queueOf(tok(4), last(5)));
  dst.close(new Error('instance b died too'));
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4, 5]);
  t.deepEqual(log, ['ahead b', 'cancelled b', 'resumed from 3 on c']);
});

test('a source dying before the snapshot\'s COMMIT reached the client still recomputes (nothing committed to follow)', async (t) => {
  const { src, out, log } = announcedWithOneToken(() => queueOf(tok(3), last(4)));
  src.push(tok(2));
  await tick();
  src.close(new Error('instance a died'));
  const { tokens } = await out;
  t.deepEqual(tokens, [1, 2, 3, 4]);
  t.deepEqual(log, ['ahead b', 'cancelled b', 'resumed from 2 on c']);
});
