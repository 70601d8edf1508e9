// A client's one stream across migrations and instance failures, for the Llumnix fleet
// (fleet.ts) and the serverless fleet (serverless/request-routing.ts) alike. A stream that ends
// with `migrated_to` continues on that instance (Attach); a stream that breaks because its
// instance died continues on another one from the tokens already produced (the new instance
// recomputes their KV and goes on with the next token). Either way no token is lost or
// repeated. Who serves a request, and how an instance is judged dead, is the caller's.
//
// Attaching ahead: a live migration announces its destination (`migrating_to`) once blocks are
// reserved there, well before its COMMIT. With the `attachAhead` hook the stream there is opened
// then; the destination's first delta leaves with the COMMIT and says how many output tokens
// the request had (`resumes_at`). Once the client has received exactly that many, the source
// can send nothing more but its marker, so the destination's stream takes over at once: the
// first token after a migration waits neither for the COMMIT's acknowledgement to reach the
// source nor for the source's `migrated_to` to reach the manager, nor for an Attach. (Had the
// source sent more, e.g. resumed after a lost acknowledgement, the counts differ and the
// request simply goes on from its source; the destination's copy is aborted.) An announced
// migration that goes elsewhere, or nowhere, has its attachment cancelled (the destination
// drops it with the reservation).
//
// The snapshot last stage (`source_continues` on the destination's first delta): the source
// did not stop at its COMMIT; it keeps decoding and streaming to the client, and sends the
// tokens it produces to the destination, which catches up. Both streams are read then; the
// destination's deltas count from `resumes_at`. The client switches to the destination as soon
// as one of its deltas starts exactly at the client's next token (it delivered that token
// first), or, when it keeps arriving second, the `CATCH_UP_PATIENCE`-th time its stream holds
// exactly the tokens the client has; tokens it sends that the client has are dropped. The
// source is then stopped (`leave`). Until the switch the request is the source's: the
// destination's stream failing or ending leaves the client there. A source that dies while its
// destination catches up leaves the request to the destination, which runs it on its own from
// the snapshot (its tokens equal the source's: the output does not depend on the instance):
// the client switches once the destination's stream reaches the client's next token, its
// tokens before it checked against the client's and dropped; only a destination that
// disagrees, jumps past the client, or fails is given up for the recompute.
import type { GenerationDelta, GenerationRequest } from '../engine/types.ts';

export interface Serving<I> {
  readonly instance: I;
  readonly stream: AsyncIterable<GenerationDelta>;
}

export interface FollowHooks<I> {
  /** Whether the stream of `instance` broke because the instance died (false: the error is the client's). */
  died(instance: I, err: unknown): Promise<boolean>;
  /** Where the request goes after its instance died (`resume_output_token_ids` already holds what was produced). */
  resume(resumed: GenerationRequest, from: I): Promise<Serving<I>> | Serving<I>;
  /**
   * The instance a `migrated_to` address names, and the request's stream there: `ahead` when
   * it was attached before the COMMIT (attachAhead), else attached now.
   */
  moved(address: string, from: I, ahead?: AsyncIterable<GenerationDelta>): Serving<I>;
  /**
   * Optional: the request's stream on `address`, attached before the migration there commits
   * (the source announced it with `migrating_to`); `signal` cancels it when the request stays
   * on its source or goes elsewhere. May throw (e.g. an unknown address): the request is then
   * attached when `migrated_to` arrives.
   */
  attachAhead?(address: string, from: I, signal: AbortSignal): AsyncIterable<GenerationDelta>;
  /**
   * Optional: the client switched away from `from` while it still runs the request (the
   * snapshot last stage): stop it there. Without it the source runs to the request's end.
   */
  leave?(from: I): void;
  /** Sees every delta before the client does (it may throw to declare the instance dead); `produced` counts output tokens so far. */
  delta?(instance: I, d: GenerationDelta, produced: number): void;
}

/** A stream attached ahead on an announced destination. */
interface Ahead {
  readonly address: string;
  /** The destination's stream, from its first delta on. */
  readonly stream: AsyncIterable<GenerationDelta>;
  readonly cancel: AbortController;
  /** Resolves when the destination's first delta says the COMMIT landed there (never, if it does not). */
  readonly committed: Promise<typeof COMMITTED>;
  /** The output length the destination resumed from, once `committed` resolved. */
  resumes_at?: number;
  /** The COMMIT was a snapshot: the source keeps decoding until the client switches. */
  source_continues?: boolean;
  /** While it catches up (source_continues): its stream as read so far. */
  catchUp?: CatchUp;
}

/** A destination catching up with a source that still decodes. */
interface CatchUp {
  readonly it: AsyncIterator<GenerationDelta>;
  /** Output tokens its stream holds (resumes_at, then every token it sent). */
  count: number;
  /** Its next delta, being awaited. */
  next: Promise<FromDestination> | undefined;
  /** Times its stream held exactly the client's tokens after a delta of its own. */
  even: number;
  /** Its deltas from beyond the client's next token (the client's stream from the source lags): kept until the client reaches them. */
  readonly early: GenerationDelta[];
}

type FromDestination = { readonly dest: IteratorResult<GenerationDelta> } | { readonly destError: unknown };

/**
 * How often a caught-up destination may arrive second (the source delivers the token first)
 * before the client switches anyway: each time costs the source one more step of a request
 * that has left it; switching then costs the client the destination's lag, one hop.
 */
export const CATCH_UP_PATIENCE = 2;

const COMMITTED = Symbol('committed');

export async function* followStream<I>(request: GenerationRequest, first: Serving<I>, hooks: FollowHooks<I>, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
  const produced: number[] = [...(request.resume_output_token_ids ?? [])];
  let { instance, stream } = first;
  let ahead: Ahead | undefined;
  const dropAhead = (): void => {
    ahead?.cancel.abort();
    ahead = undefined;
  };
  try {
    for (;;) {
      let next: string | undefined;
      /** The destination attached ahead committed with exactly the tokens the client has. */
      let caughtUp = false;
      /** A catching-up destination took over (snapshot last stage), with its first delta for the client if any. */
      let tookOver: TakeOver | undefined;
      const it = stream[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<GenerationDelta>> | undefined;
      try {
        for (;;) {
          // Once the destination committed from the output the client already has, the
          // source's stream holds nothing more but its marker: the destination's stream takes
          // over now, not when the marker arrives.
          const early = ahead?.catchUp?.early;
          if (early !== undefined && early.length > 0 && ahead!.catchUp!.count - tokensIn(early) === produced.length) {
            tookOver = { first: early.splice(0) };
            pending?.catch(() => undefined);
            break;
          }
          if (ahead?.resumes_at !== undefined && ahead.source_continues !== true && ahead.resumes_at === produced.length) {
            caughtUp = true;
            // The source's marker (or its failure) still arrives: nobody waits for it.
            pending?.catch(() => undefined);
            break;
          }
          pending ??= it.next();
          let r: IteratorResult<GenerationDelta> | typeof COMMITTED;
          if (ahead?.source_continues === true) {
            const c = (ahead.catchUp ??= { it: ahead.stream[Symbol.asyncIterator](), count: ahead.resumes_at!, next: undefined, even: 0, early: [] });
            c.next ??= c.it.next().then((dest) => ({ dest }), (destError: unknown) => ({ destError }));
            const w = await Promise.race([pending, c.next]);
            if ('dest' in w || 'destError' in w) {
              c.next = undefined;
              const verdict = catchUpStep(c, w, produced.length);
              if (verdict === 'failed') dropAhead();
              else if (verdict !== 'wait') {
                tookOver = verdict;
                pending.catch(() => undefined);
                break;
              }
              continue;
            }
            r = w;
          } else r = ahead !== undefined && ahead.resumes_at === undefined ? await Promise.race([pending, ahead.committed]) : await pending;
          if (r === COMMITTED) continue;
          pending = undefined;
          if (r.done === true) break;
          const d = r.value;
          if (d.migrating_to !== undefined) {
            ahead = attachAhead(hooks, d.migrating_to, instance, ahead, signal);
            continue;
          }
          if (d.migrated_to !== undefined) {
            next = d.migrated_to;
            continue;
          }
          if (d.resumes_at !== undefined) continue;
          produced.push(...d.token_ids);
          hooks.delta?.(instance, d, produced.length);
          yield d;
          if (d.finish_reason !== undefined) return;
        }
      } catch (err) {
        const heir = ahead?.source_continues === true ? ahead : undefined;
        if (heir === undefined) dropAhead();
        if (signal?.aborted === true || !(await hooks.died(instance, err))) {
          dropAhead();
          throw err;
        }
        const aligned = heir === undefined || ahead !== heir ? undefined : await alignedWith(heir, produced);
        if (aligned !== undefined) {
          const from = instance;
          ahead = undefined;
          ({ instance, stream } = hooks.moved(heir!.address, from, aligned));
          continue;
        }
        dropAhead();
        ({ instance, stream } = await hooks.resume({ ...request, resume_output_token_ids: [...produced] }, instance));
        continue;
      }
      if (tookOver !== undefined) {
        const { address, catchUp } = ahead!;
        const from = instance;
        ahead = undefined;
        hooks.leave?.(from);
        ({ instance, stream } = hooks.moved(address, from, rest(catchUp!)));
        for (const d of tookOver.first) {
          produced.push(...d.token_ids);
          hooks.delta?.(instance, d, produced.length);
          yield d;
          if (d.finish_reason !== undefined) return;
        }
        continue;
      }
      if (caughtUp) next = ahead!.address;
      if (next === undefined) return;
      const to = next;
      const from = instance;
      if (ahead?.address === to) {
        // An attachment ahead that failed before its first delta (the Attach came too late or
        // too early for the destination) is made again the ordinary way.
        ({ instance, stream } = hooks.moved(to, from, orElse(ahead.stream, () => hooks.moved(to, from).stream)));
        ahead = undefined;
      } else {
        dropAhead();
        ({ instance, stream } = hooks.moved(to, from));
      }
    }
  } finally {
    dropAhead();
  }
}

/** The stream on the announced destination; one attached ahead to the same destination is replaced (its migration aborted, taking the attachment with it). */
function attachAhead<I>(hooks: FollowHooks<I>, address: string, from: I, before: Ahead | undefined, signal: AbortSignal | undefined): Ahead | undefined {
  // Another destination: the earlier attachment is cancelled there. The same one: attaching
  // again replaces it without an abort, which could reach the destination after this
  // migration's reservation and cancel it.
  if (before !== undefined && before.address !== address) before.cancel.abort();
  if (hooks.attachAhead === undefined) return undefined;
  const cancel = new AbortController();
  let attached: AsyncIterable<GenerationDelta>;
  try {
    attached = hooks.attachAhead(address, from, signal === undefined ? cancel.signal : AbortSignal.any([signal, cancel.signal]));
  } catch {
    return undefined;
  }
  // Its first delta is read now, to learn when the COMMIT lands; the stream replays it.
  const it = attached[Symbol.asyncIterator]();
  const head = it.next();
  head.catch(() => undefined);
  const never = new Promise<never>(() => undefined);
  const ahead: Ahead = {
    address, cancel,
    committed: head.then((r) => {
      if (r.done === true || r.value.resumes_at === undefined) return never;
      ahead.resumes_at = r.value.resumes_at;
      if (r.value.source_continues === true) ahead.source_continues = true;
      return COMMITTED;
    }, () => never),
    stream: (async function* () {
      const r = await head;
      if (r.done === true) return;
      yield r.value;
      for (;;) {
        const n = await it.next();
        if (n.done === true) return;
        yield n.value;
      }
    })(),
  };
  return ahead;
}

/** `first`, or `again()` when `first` fails before its first delta. */
async function* orElse(first: AsyncIterable<GenerationDelta>, again: () => AsyncIterable<GenerationDelta>): AsyncIterable<GenerationDelta> {
  let any = false;
  try {
    for await (const d of first) {
      any = true;
      yield d;
    }
  } catch (err) {
    if (any) throw err;
    yield* again();
  }
}

/**
 * One delta (or the end, or a failure) of a catching-up destination, the client having
 * `client` tokens: take over with it (it starts at the client's next token), take over before
 * its next one (it holds exactly the client's tokens, the CATCH_UP_PATIENCE-th time), wait
 * for more, or give up on it (it failed, ended, or was aborted before taking over).
 */
function catchUpStep(c: CatchUp, w: FromDestination, client: number): TakeOver | 'wait' | 'failed' {
  if ('destError' in w || w.dest.done === true) return 'failed';
  const d = w.dest.value;
  if (d.resumes_at !== undefined || d.migrating_to !== undefined) return 'wait';
  if (d.token_ids.length === 0) return d.finish_reason !== undefined || d.migrated_to !== undefined ? 'failed' : 'wait';
  const start = c.count;
  c.count += d.token_ids.length;
  if (start === client && c.early.length === 0) return { first: [d] };
  if (start > client || c.early.length > 0) c.early.push(d);
  else if (c.count === client && ++c.even >= CATCH_UP_PATIENCE) return { first: [] };
  return 'wait';
}

/** The destination takes over; `first`: its deltas the client gets at once. */
interface TakeOver {
  readonly first: readonly GenerationDelta[];
}

function tokensIn(ds: readonly GenerationDelta[]): number {
  let n = 0;
  for (const d of ds) n += d.token_ids.length;
  return n;
}

/**
 * The stream of a destination that committed a snapshot, its source dead: from the client's
 * next token on. Its deltas before that are read now and checked against `produced`; undefined
 * when one disagrees, straddles the client's count (its text cannot be split), comes after a
 * gap, or the stream fails or ends first (the caller recomputes instead).
 */
async function alignedWith(heir: Ahead, produced: readonly number[]): Promise<AsyncIterable<GenerationDelta> | undefined> {
  const c = (heir.catchUp ??= { it: heir.stream[Symbol.asyncIterator](), count: heir.resumes_at!, next: undefined, even: 0, early: [] });
  const queued = c.early.splice(0);
  // Where the next delta starts: the first kept one's start, else the stream's count.
  let at = c.count - tokensIn(queued);
  const next = async (): Promise<GenerationDelta | undefined> => {
    const d = queued.shift();
    if (d !== undefined) return d;
    const w = await (c.next ?? c.it.next().then((dest) => ({ dest }), (destError: unknown) => ({ destError })));
    c.next = undefined;
    return 'destError' in w || w.dest.done === true ? undefined : w.dest.value;
  };
  if (at > produced.length) return undefined;
  for (;;) {
    const d = await next();
    if (d === undefined) return undefined;
    if (d.resumes_at !== undefined || d.migrating_to !== undefined) continue;
    if (at === produced.length) {
      if (d.token_ids.length === 0 && d.finish_reason === undefined) continue;
      if (d.migrated_to !== undefined) return undefined;
      return (async function* () {
        yield d;
        yield* queued;
        yield* rest(c);
      })();
    }
    if (d.token_ids.length === 0) {
      if (d.finish_reason !== undefined || d.migrated_to !== undefined) return undefined;
      continue;
    }
    if (at + d.token_ids.length > produced.length) return undefined;
    for (let k = 0; k < d.token_ids.length; k++) if (d.token_ids[k] !== produced[at + k]) return undefined;
    at += d.token_ids.length;
  }
}

/** The rest of a catching-up destination's stream: the delta being awaited, if any, then the others. */
async function* rest(c: CatchUp): AsyncIterable<GenerationDelta> {
  const it = c.it;
  if (c.next !== undefined) {
    const w = await c.next;
    if ('destError' in w) throw w.destError;
    if (w.dest.done === true) return;
    yield w.dest.value;
  }
  for (;;) {
    const n = await it.next();
    if (n.done === true) return;
    yield n.value;
  }
}
