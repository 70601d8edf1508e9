import type { FastifyReply } from 'fastify';
import type { FinishReason, GenerationDelta } from '../engine/types.ts';
import { ApiError } from './errors.ts';
import type { ResponseFormat } from './formats.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Prepared } from './prepare.ts';
import { SseWriter } from './sse.ts';
import { TrackedGeneration } from './tracked.ts';

/** Errors after the headers went out travel in the stream, as vLLM does. */
const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError('server_error', error instanceof Error ? error.message : String(error), { cause: error });

/**
 * Runs the request and answers it, streamed (SSE) or whole. The engine request is aborted as
 * soon as the client's connection closes before the answer is complete.
 */
export async function serveGeneration(
  reply: FastifyReply,
  prepared: Prepared,
  format: ResponseFormat,
  metrics: ApiMetrics,
  arrival_ms: number,
): Promise<unknown> {
  const controller = new AbortController();
  const disconnected = (): void => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  };
  reply.raw.on('close', disconnected);
  // The client may have gone while the body was parsed and the prompt tokenized: 'close' has fired already.
  const socket = reply.raw.socket;
  if (reply.raw.destroyed || socket === null || socket.destroyed) disconnected();
  const generation = new TrackedGeneration(prepared, metrics, arrival_ms);

  if (!prepared.stream) {
    const deltas: GenerationDelta[] = [];
    let finish: FinishReason = 'abort';
    for await (const delta of generation.run(controller.signal)) {
      deltas.push(delta);
      finish = delta.finish_reason ?? finish;
    }
    return format.whole(deltas, finish, generation.usage);
  }

  reply.hijack();
  const sse = new SseWriter(reply.raw);
  try {
    for (const chunk of format.opening()) await sse.send(chunk);
    for await (const delta of generation.run(controller.signal)) {
      if (!sse.open) break;
      const json = format.chunkJson(delta);
      if (json === undefined) continue;
      // Awaited only when the client is behind: a token's event otherwise costs no extra turn.
      const drained = sse.sendJson(json);
      if (drained !== undefined) await drained;
    }
    if (prepared.include_usage) await sse.send(format.usageChunk(generation.usage));
  } catch (error) {
    await sse.send(asApiError(error).toBody());
  }
  await sse.done();
  return reply;
}
