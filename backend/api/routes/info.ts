import type { FastifyInstance } from 'fastify';
import { fromZodError } from '../errors.ts';
import type { ApiMetrics } from '../metrics.ts';
import { chatPromptTokens, resolveEngine } from '../prepare.ts';
import type { EngineRouter } from '../router.ts';
import { DetokenizeRequestSchema, TokenizeRequestSchema } from '../schemas.ts';

/** `/v1/models`, `/health`, `/version`, `/metrics`, and vLLM's `/tokenize` and `/detokenize`. */
export function registerInfoRoutes(app: FastifyInstance, router: EngineRouter, metrics: ApiMetrics, version: string): void {
  const created = Math.floor(Date.now() / 1e3);
  app.get('/v1/models', async () => ({
    object: 'list',
    data: router.models().map((m) => ({ id: m.name, object: 'model', created, owned_by: 'fleetlab', root: m.name, parent: null, max_model_len: m.max_model_len })),
  }));
  app.get('/health', async (_request, reply) => reply.code(200).send());
  app.get('/version', async () => ({ version }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));

  app.post('/tokenize', async (request) => {
    const parsed = TokenizeRequestSchema.safeParse(request.body);
    if (!parsed.success) throw fromZodError(parsed.error, request.body);
    const { engine } = resolveEngine(router, parsed.data.model);
    const body = parsed.data;
    const tokens =
      'prompt' in body
        ? engine.tokenizer.encode(body.prompt, { add_special_tokens: body.add_special_tokens ?? true })
        : chatPromptTokens(engine.tokenizer, body.messages, body.add_generation_prompt ?? true);
    return { count: tokens.length, max_model_len: engine.max_model_len, tokens };
  });

  app.post('/detokenize', async (request) => {
    const parsed = DetokenizeRequestSchema.safeParse(request.body);
    if (!parsed.success) throw fromZodError(parsed.error, request.body);
    const { engine } = resolveEngine(router, parsed.data.model);
    return { prompt: engine.tokenizer.decode(parsed.data.tokens) };
  });
}
