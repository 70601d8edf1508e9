import type { FastifyReply } from 'fastify';
import type { FinishReason, GenerationDelta } from '../engine/types.ts';
import { asApiError } from './errors.ts';
import type { ResponseFormat } from './formats.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Prepared } from './prepare.ts';
import { serveChoices } from './parallel-sampling.ts';
import { SseWriter } from './sse.ts';
import { TrackedGeneration } from './tracked.ts';

/**
 * Runs the request and answers it, streamed (SSE) or whole. The engine request is aborted as
 * soon as the client's connection closes before the answer is complete. `formatOf` gives the
 * response format of choice `index` (several with `n` > 1: parallel-sampling.ts).
 */
export async function serveGeneration(
  reply: FastifyReply,
  prepared: Prepared,
  formatOf: (prepared: Prepared, index: number) => ResponseFormat,
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
  if (prepared.n > 1) return serveChoices(reply, prepared, formatOf, metrics, arrival_ms, controller);
  const format = formatOf(prepared, 0);
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
