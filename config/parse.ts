import type { z } from 'zod';
import { ConfigError, showValue, type ConfigIssue } from './errors.ts';

/**
 * Parses `input` with a zod schema and turns every issue into "Expected <option> <expectation>,
 * received <value>": zod's own messages omit the path and the value, which is what a user
 * editing a YAML file needs. `prefix` names where the config sits in a larger document;
 * `source` names the file (or preset) it came from.
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix = '', source?: string): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => toConfigIssues(issue, prefix)), { cause: result.error, source });
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  const parts = prefix ? [prefix] : [];
  for (const key of path) {
    if (typeof key === 'number') parts.push(`[${key}]`);
    else parts.push(String(key));
  }
  return parts.join('.').replace(/\.\[/g, '[');
}

function bound(kind: '>' | '<', inclusive: boolean | undefined, limit: unknown, origin: string): string {
  const op = inclusive === false ? kind : `${kind}=`;
  if (origin === 'array') return `an array with ${op} ${String(limit)} items`;
  if (origin === 'string') return `a string with ${op} ${String(limit)} characters`;
  return `${op} ${String(limit)}`;
}

function toConfigIssues(issue: z.core.$ZodIssue, prefix: string): ConfigIssue[] {
  if (issue.code === 'invalid_union' && !('discriminator' in issue && issue.discriminator)) {
    // A plain union (e.g. "builtin:name" string or an object): report the branch whose shape
    // matched, i.e. the one that did not fail on the value's type at its own root.
    const matched = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
    const branch = matched[0];
    if (matched.length === 1 && branch) return branch.flatMap((i) => toConfigIssues(i, joinPath(prefix, issue.path)));
  }
  return [toConfigIssue(issue, prefix)];
}

function toConfigIssue(issue: z.core.$ZodIssue, prefix: string): ConfigIssue {
  const option = joinPath(prefix, issue.path);
  const received = showValue(issue.input);
  switch (issue.code) {
    case 'too_small':
      return { option, expected: bound('>', issue.inclusive, issue.minimum, issue.origin), received };
    case 'too_big':
      return { option, expected: bound('<', issue.inclusive, issue.maximum, issue.origin), received };
    case 'invalid_type':
      if (issue.input === undefined) return { option, expected: `present (a required ${issue.expected})`, received: 'nothing' };
      return { option, expected: issue.expected === 'int' ? 'an integer' : `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`, received };
    case 'invalid_value':
      return { option, expected: `one of ${issue.values.map((v) => showValue(v)).join(' | ')}`, received };
    case 'unrecognized_keys': {
      const obj = issue.input as Record<string, unknown> | undefined;
      const key = issue.keys[0] ?? '';
      const value = issue.keys.length === 1 ? showValue(obj?.[key]) : 'values';
      return { option: joinPath(option, [issue.keys.join(', ')]), expected: 'absent (not a known option)', received: value };
    }
    case 'invalid_union': {
      // A bad discriminator: zod reports the whole object; the user wants the `kind` they wrote.
      const note = issue as { options?: readonly unknown[]; discriminator?: string };
      if (note.options && note.discriminator) {
        const obj = issue.input as Record<string, unknown> | undefined;
        return {
          option,
          expected: `one of ${note.options.map((v) => showValue(v)).join(' | ')}`,
          received: showValue(obj?.[note.discriminator]),
        };
      }
      return { option, expected: 'one of the allowed shapes', received };
    }
    default:
      // Custom refinements carry their own expectation text in `message`.
      return { option, expected: issue.message, received };
  }
}
