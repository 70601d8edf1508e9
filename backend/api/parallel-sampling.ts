// OpenAI's `n`: n completions of one prompt, as vLLM makes them — n independent engine
// requests ("{index}_{id}", seed + index when the request has a seed, so each choice is
// reproducible and they differ), answered as one response whose choices carry their index.
// Streamed chunks of different choices interleave as their tokens arrive; the usage counts the
// prompt once and every choice's tokens.
import type { FastifyReply } from 'fastify';
import type { FinishReason, GenerationDelta } from '../engine/types.ts';
import type { ResponseFormat } from './formats.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Prepared } from './prepare.ts';
import { SseWriter } from './sse.ts';
import { TrackedGeneration, type Usage } from './tracked.ts';
import { asApiError } from './errors.ts';

/** The engine request of choice `index`. */
export function childPrepared(prepared: Prepared, index: number): Prepared {
  const { request } = prepared;
  const seed = request.sampling.seed;
  return {
    ...prepared,
    request: { ...request, request_id: `${index}_${request.request_id}`, sampling: seed === undefined ? request.sampling : { ...request.sampling, seed: seed + index } },
  };
}

function totalUsage(parts: readonly Usage[]): Usage {
  const prompt_tokens = parts[0]?.prompt_tokens ?? 0;
  const completion_tokens = parts.reduce((sum, u) => sum + u.completion_tokens, 0);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/**
 * Items of several streams as they come, tagged with their stream's index. Left early (an
 * error, a client gone), it asks every stream to return without waiting for them: the caller
 * aborts their engine requests, which ends them, and their own cleanup (metrics) then runs.
 */
async function* interleave<T>(streams: readonly AsyncIterable<T>[]): AsyncGenerator<readonly [number, T]> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const arm = (i: number): void => {
    const next = (iterators[i] as AsyncIterator<T>).next().then((r) => ({ i, r }));
    next.catch(() => undefined); // seen by the race below; not an unhandled rejection once we left
    pending.set(i, next);
  };
  iterators.forEach((_, i) => arm(i));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done === true) {
        pending.delete(i);
        continue;
      }
      arm(i);
      yield [i, r.value] as const;
    }
  } finally {
    if (pending.size > 0) for (const it of iterators) void it.return?.(undefined).catch(() => undefined);
  }
}

/** Runs the n engine requests of `prepared` and answers them as one response (see serveGeneration). */
export async function serveChoices(
  reply: FastifyReply,
  prepared: Prepared,
  formatOf: (prepared: Prepared, index: number) => ResponseFormat,
  metrics: ApiMetrics,
  arrival_ms: number,
  controller: AbortController,
): Promise<unknown> {
  const indices = Array.from({ length: prepared.n }, (_, i) => i);
  const formats = indices.map((i) => formatOf(prepared, i));
  const generations = indices.map((i) => new TrackedGeneration(childPrepared(prepared, i), metrics, arrival_ms));
  const usage = (): Usage => totalUsage(generations.map((g) => g.usage));
  const streams = generations.map((g) => g.run(controller.signal));
  if (!prepared.stream) {
    const deltas: GenerationDelta[][] = indices.map(() => []);
    const finish: FinishReason[] = indices.map(() => 'abort');
    try {
      for await (const [i, delta] of interleave(streams)) {
        (deltas[i] as GenerationDelta[]).push(delta);
        finish[i] = delta.finish_reason ?? (finish[i] as FinishReason);
      }
    } catch (error) {
      controller.abort(error);
      throw error;
    }
    const answers = indices.map((i) => (formats[i] as ResponseFormat).whole(deltas[i] as GenerationDelta[], finish[i] as FinishReason, usage()) as { choices: unknown[] });
    return { ...answers[0], choices: answers.flatMap((a) => a.choices), usage: usage() };
  }
  reply.hijack();
  const sse = new SseWriter(reply.raw);
  try {
    for (const format of formats) for (const chunk of format.opening()) await sse.send(chunk);
    for await (const [i, delta] of interleave(streams)) {
      if (!sse.open) break;
      const json = (formats[i] as ResponseFormat).chunkJson(delta);
      if (json === undefined) continue;
      const drained = sse.sendJson(json);
      if (drained !== undefined) await drained;
    }
    if (prepared.include_usage) await sse.send((formats[0] as ResponseFormat).usageChunk(usage()));
  } catch (error) {
    controller.abort(error);
    await sse.send(asApiError(error).toBody());
  }
  // A client gone mid-stream: the other choices' engine requests end too.
  if (!sse.open) controller.abort(new Error('client disconnected'));
  await sse.done();
  return reply;
}
