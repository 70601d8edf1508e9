/**
 * backend/api — the OpenAI-compatible HTTP server (vLLM's surface): completions and chat,
 * streamed or whole, `/v1/models`, `/health`, `/version`, `/metrics` with vLLM's metric names,
 * over an `EngineRouter` that the fleet manager implements.
 */
export { createApiServer, DEFAULT_MAX_BODY_BYTES, type ApiServer, type ApiServerOptions } from './server.ts';
export { StaticEngineRouter, type EngineRouter, type ServedModel } from './router.ts';
export { ApiMetrics } from './metrics.ts';
export { METRICS, type MetricKey } from './metric-names.ts';
export { ApiError, type OpenAiErrorBody, type ErrorType } from './errors.ts';
export { resolvePriority } from './priority.ts';
export { CompletionRequestSchema, ChatCompletionRequestSchema, type CompletionRequest, type ChatCompletionRequest } from './schemas.ts';
