import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { fromZodError } from '../errors.ts';
import { chatFormat, completionFormat, type ResponseFormat } from '../formats.ts';
import type { ApiMetrics } from '../metrics.ts';
import { prepareChat, prepareCompletion, refuseUnsupported, type Prepared } from '../prepare.ts';
import type { EngineRouter } from '../router.ts';
import { ChatCompletionRequestSchema, CompletionRequestSchema, UNSUPPORTED } from '../schemas.ts';
import { serveGeneration } from '../serve-generation.ts';

/** Top-level body fields neither the schema nor the refused-unless-neutral list knows. */
function unknownFields(schema: z.ZodObject, body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.keys(body).filter((key) => !(key in schema.shape) && !(key in UNSUPPORTED));
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  refuseUnsupported(body);
  const result = schema.safeParse(body);
  if (!result.success) throw fromZodError(result.error, body);
  return result.data;
}

export function registerGenerationRoutes(
  app: FastifyInstance,
  router: EngineRouter,
  metrics: ApiMetrics,
  onIgnoredFields?: (endpoint: string, fields: readonly string[]) => void,
): void {
  const route = <S extends z.ZodObject>(
    url: string,
    schema: S,
    prepare: (body: z.output<S>, priorityHeader: string | string[] | undefined) => Prepared,
    format: (prepared: Prepared, index: number) => ResponseFormat,
  ): void => {
    app.post(url, async (request, reply) => {
      const arrival_ms = performance.now();
      const prepared = prepare(parse(schema, request.body), request.headers['x-priority']);
      if (onIgnoredFields !== undefined) {
        const ignored = unknownFields(schema, request.body);
        if (ignored.length > 0) onIgnoredFields(url, ignored);
      }
      return serveGeneration(reply, prepared, format, metrics, arrival_ms);
    });
  };
  route('/v1/completions', CompletionRequestSchema, (body, header) => prepareCompletion(router, body, header), completionFormat);
  route('/v1/chat/completions', ChatCompletionRequestSchema, (body, header) => prepareChat(router, body, header), chatFormat);
}
