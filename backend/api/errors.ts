import type { z } from 'zod';

/** OpenAI's error `type`s, with the HTTP status each one goes out with. */
export const ERROR_TYPES = {
  invalid_request_error: 400,
  authentication_error: 401,
  not_found_error: 404,
  request_too_large: 413,
  unsupported_media_type: 415,
  server_error: 500,
} as const;
export type ErrorType = keyof typeof ERROR_TYPES;

/** `{error: {message, type, param, code}}`, the body of every non-2xx answer. */
export interface OpenAiErrorBody {
  readonly error: { readonly message: string; readonly type: ErrorType; readonly param: string | null; readonly code: string | null };
}

/** A request the API refuses (or fails); the handler turns it into OpenAI's error shape. */
export class ApiError extends Error {
  readonly type: ErrorType;
  readonly param: string | null;
  readonly code: string | null;
  /** Usually the type's status; 404 for an unknown model keeps OpenAI's `invalid_request_error` type. */
  readonly status: number;

  constructor(type: ErrorType, message: string, options: { param?: string; code?: string; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.type = type;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.status = options.status ?? ERROR_TYPES[type];
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badParam = (param: string, message: string, code = 'invalid_value'): ApiError =>
  new ApiError('invalid_request_error', message, { param, code });

export const unknownModel = (model: string, served: readonly string[]): ApiError =>
  new ApiError('invalid_request_error', `The model \`${model}\` does not exist. Served models: ${served.join(', ') || '(none)'}.`, {
    param: 'model',
    code: 'model_not_found',
    status: 404,
  });

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v = body;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The first zod issue as a 400 naming the parameter (dotted path, `messages.0.role`), its value and what was expected. */
export function fromZodError(error: z.ZodError, body: unknown): ApiError {
  const issue = error.issues[0];
  if (issue === undefined) return badParam('body', 'Invalid request body.');
  const param = issue.path.map(String).join('.') || 'body';
  const value = valueAt(body, issue.path);
  const received = value === undefined ? '' : ` (received ${JSON.stringify(value)?.slice(0, 80)})`;
  return badParam(param, `Invalid value for '${param}': ${issue.message}${received}.`);
}

/** Errors after the headers went out travel in the stream, as vLLM does: any error as an ApiError. */
export const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError('server_error', error instanceof Error ? error.message : String(error), { cause: error });
