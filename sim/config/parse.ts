import type { z } from 'zod';
import { parseConfig } from '../../config/index.ts';
import { RunConfig } from './run-config.ts';

/** Validates with a zod schema; errors name `where` (the file or preset), the field, the value and the expectation. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, where = 'config'): z.output<S> {
  return parseConfig(schema, input, '', where);
}

export function parseRunConfig(input: unknown, where?: string): RunConfig {
  return parseWith(RunConfig, input, where);
}
