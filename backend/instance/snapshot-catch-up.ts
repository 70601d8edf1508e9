// The source's side of the snapshot last stage after its COMMIT: the request never stopped
// here, so every output token it produces since the snapshot goes to the destination on the
// migration's KV connection (a catch-up message, kv-commit.ts), where it is checked or
// appended and computed as a chunk. Sent after every engine step that produced some; one
// message in flight at a time (the connection runs one transfer), the tokens of steps in
// between go together in the next. Ends when the request ends here: the manager stopped it
// after switching the client to the destination, or it finished, or the client left.
import type { LLMEngine } from '../engine/llm-engine.ts';
import type { RealSequence } from '../engine/real-sequence.ts';
import type { KvConnection } from '../native/index.ts';
import { encodeKvCatchUp } from './kv-commit.ts';

export interface CatchUpResult {
  /** Output tokens the source produced after its snapshot (decoded on both sides: the extra compute). */
  readonly tokens: number;
  readonly messages: number;
  /** Why forwarding stopped before the request ended here (destination dead or refusing); the request stays here. */
  readonly failed?: string;
}

/** Streams `seq`'s output tokens from index `from` on to the destination until the request ends here. */
export function forwardCatchUp(engine: LLMEngine, seq: RealSequence, conn: KvConnection, from: number): Promise<CatchUpResult> {
  const pool = engine.runner.kvPool;
  return new Promise((resolve) => {
    let sent = from;
    let messages = 0;
    let busy = false;
    let ended = false;
    const offStep = engine.onStep(() => flush());
    const offIdle = engine.onIdle(() => flush());
    const end = (failed?: string): void => {
      if (ended) return;
      ended = true;
      offStep();
      offIdle();
      resolve({ tokens: sent - from, messages, ...(failed === undefined ? {} : { failed }) });
    };
    const flush = (): void => {
      if (busy || ended) return;
      const ids = seq.output.output_token_ids;
      if (ids.length > sent) {
        const at = sent;
        const token_ids = ids.slice(at);
        busy = true;
        messages++;
        conn.send(pool, [], [], { commit: encodeKvCatchUp({ request_id: seq.request_id, from: at, token_ids }) }).then(
          () => {
            busy = false;
            sent = at + token_ids.length;
            flush();
          },
          (err: unknown) => {
            busy = false;
            end(err instanceof Error ? err.message : String(err));
          },
        );
        return;
      }
      if (engine.sequence(seq.request_id) !== seq) end();
    };
    flush();
  });
}
