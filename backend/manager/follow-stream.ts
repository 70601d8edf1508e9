// A client's one stream across migrations and instance failures, for the Llumnix fleet
// (fleet.ts) and the serverless fleet (serverless/request-routing.ts) alike. A stream that ends
// with `migrated_to` continues on that instance (Attach); a stream that breaks because its
// instance died continues on another one from the tokens already produced (the new instance
// recomputes their KV and goes on with the next token). Either way no token is lost or
// repeated. Who serves a request, and how an instance is judged dead, is the caller's.
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
  /** The instance a `migrated_to` address names, and the request's stream there. */
  moved(address: string, from: I): Serving<I>;
  /** Sees every delta before the client does (it may throw to declare the instance dead); `produced` counts output tokens so far. */
  delta?(instance: I, d: GenerationDelta, produced: number): void;
}

export async function* followStream<I>(request: GenerationRequest, first: Serving<I>, hooks: FollowHooks<I>, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
  const produced: number[] = [...(request.resume_output_token_ids ?? [])];
  let { instance, stream } = first;
  for (;;) {
    let next: string | undefined;
    try {
      for await (const d of stream) {
        if (d.migrated_to !== undefined) {
          next = d.migrated_to;
          continue;
        }
        produced.push(...d.token_ids);
        hooks.delta?.(instance, d, produced.length);
        yield d;
        if (d.finish_reason !== undefined) return;
      }
    } catch (err) {
      if (signal?.aborted === true || !(await hooks.died(instance, err))) throw err;
      ({ instance, stream } = await hooks.resume({ ...request, resume_output_token_ids: [...produced] }, instance));
      continue;
    }
    if (next === undefined) return;
    ({ instance, stream } = hooks.moved(next, instance));
  }
}
