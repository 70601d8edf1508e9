import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { RunConfig } from './run-config.ts';

/**
 * Validates with a zod schema; the first issue becomes a ConfigError naming the dotted field,
 * the value found there and zod's statement of the expectation.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, where = 'config'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  if (issue?.code === 'unrecognized_keys') {
    const prefix = path.length === 0 ? `${where}:` : `${where}:${path.join('.')}.`;
    throw new ConfigError(`${prefix}${issue.keys.join(', ')}`, 'an unknown field', 'a field the schema knows (check the spelling)', {
      cause: result.error,
    });
  }
  let received: unknown = input;
  for (const key of path) {
    received = received !== null && typeof received === 'object' ? (received as Record<string, unknown>)[key] : undefined;
  }
  const expected = (issue?.message ?? 'valid').replace(/^(Invalid input|Too small|Too big|Invalid option):\s*/, '');
  const field = path.length === 0 ? where : `${where}:${path.join('.')}`;
  throw new ConfigError(field, received, expected, { cause: result.error });
}

export function parseRunConfig(input: unknown, where?: string): RunConfig {
  return parseWith(RunConfig, input, where);
}
