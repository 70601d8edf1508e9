import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { fromZodError } from '../errors.ts';
import { chatFormat, completionFormat, type ResponseFormat } from '../formats.ts';
import type { ApiMetrics } from '../metrics.ts';
import { prepareChat, prepareCompletion, refuseUnsupported, type Prepared } from '../prepare.ts';
import type { EngineRouter } from '../router.ts';
import { ChatCompletionRequestSchema, CompletionRequestSchema } from '../schemas.ts';
import { serveGeneration } from '../serve-generation.ts';

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  refuseUnsupported(body);
  const result = schema.safeParse(body);
  if (!result.success) throw fromZodError(result.error, body);
  return result.data;
}

export function registerGenerationRoutes(app: FastifyInstance, router: EngineRouter, metrics: ApiMetrics): void {
  const route = <S extends z.ZodType>(
    url: string,
    schema: S,
    prepare: (body: z.output<S>, priorityHeader: string | string[] | undefined) => Prepared,
    format: (prepared: Prepared, index: number) => ResponseFormat,
  ): void => {
    app.post(url, async (request, reply) => {
      const arrival_ms = performance.now();
      const prepared = prepare(parse(schema, request.body), request.headers['x-priority']);
      return serveGeneration(reply, prepared, format, metrics, arrival_ms);
    });
  };
  route('/v1/completions', CompletionRequestSchema, (body, header) => prepareCompletion(router, body, header), completionFormat);
  route('/v1/chat/completions', ChatCompletionRequestSchema, (body, header) => prepareChat(router, body, header), chatFormat);
}
