import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ApiError } from './errors.ts';
import { ApiMetrics } from './metrics.ts';
import type { EngineRouter } from './router.ts';
import { registerGenerationRoutes } from './routes/generation.ts';
import { registerInfoRoutes } from './routes/info.ts';

export interface ApiServerOptions {
  readonly router: EngineRouter;
  /** When set, every `/v1/*` request needs `Authorization: Bearer <api_key>` (vLLM's `--api-key`). */
  readonly api_key?: string | undefined;
  /** Largest accepted request body. Bytes; default 4 MiB. */
  readonly max_body_bytes?: number | undefined;
  /** Reported by `/version`; default the package version. */
  readonly version?: string | undefined;
  /** Fastify's request log (off by default). */
  readonly logger?: boolean | undefined;
  /**
   * Called with the body fields a generation request had that this server does not know (they
   * are dropped, as vLLM does; vLLM logs them), e.g. a misspelt `max_token`.
   */
  readonly onIgnoredFields?: ((endpoint: string, fields: readonly string[]) => void) | undefined;
}

export interface ApiServer {
  readonly app: FastifyInstance;
  readonly metrics: ApiMetrics;
  /** Starts listening; host defaults to 127.0.0.1 and port to 8000 (0: any free port). Returns the base URL. */
  listen(options?: { host?: string | undefined; port?: number | undefined }): Promise<string>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Fastify's own 4xx errors in OpenAI's shape, each with a code a client can branch on. */
function fromFastifyError(error: FastifyError, maxBodyBytes: number): ApiError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('request_too_large', `Request body is larger than the limit of ${maxBodyBytes} bytes.`, { param: 'body', code: 'body_too_large' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', `Unsupported Content-Type: send 'application/json'.`, { code: 'unsupported_media_type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_request_error', 'The request body is empty: send a JSON object.', { param: 'body', code: 'invalid_json' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid_request_error', `The request body is not valid JSON: ${error.message}`, { param: 'body', code: 'invalid_json' });
  }
  if (error instanceof SyntaxError) {
    return new ApiError('invalid_request_error', `The request body is not valid JSON: ${error.message}`, { param: 'body', code: 'invalid_json' });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError('invalid_request_error', error.message, { status, code: error.code });
  return new ApiError('server_error', error.message, { cause: error });
}

function bearerMatches(header: string | undefined, key: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const expected = Buffer.from(key, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The OpenAI-compatible server over a router of engines (not yet listening). */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const maxBodyBytes = options.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = Fastify({ bodyLimit: maxBodyBytes, logger: options.logger ?? false });
  const metrics = new ApiMetrics(options.router);
  metrics.initModels(options.router.models().map((m) => m.name));
  const sendError = (reply: FastifyReply, error: ApiError): FastifyReply => reply.code(error.status).send(error.toBody());

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const apiError = error instanceof ApiError ? error : fromFastifyError(error, maxBodyBytes);
    if (apiError.status >= 500) app.log.error(error);
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ApiError('not_found_error', `No route for ${request.method} ${request.url}.`, { code: 'route_not_found' })),
  );

  const apiKey = options.api_key;
  if (apiKey !== undefined) {
    // As vLLM: only the /v1 API is guarded; /health and /metrics stay open for probes and scrapers.
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/v1/') || bearerMatches(request.headers.authorization, apiKey)) return;
      await sendError(reply, new ApiError('authentication_error', 'Invalid or missing API key: send Authorization: Bearer <key>.', { code: 'invalid_api_key' }));
    });
  }

  registerGenerationRoutes(app, options.router, metrics, options.onIgnoredFields);
  registerInfoRoutes(app, options.router, metrics, options.version ?? packageVersion());

  return {
    app,
    metrics,
    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? '127.0.0.1';
      await app.listen({ host, port: listenOptions.port ?? 8000 });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : listenOptions.port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    close: () => app.close(),
  };
}
