import { badParam } from './errors.ts';

/**
 * Llumnix has two priority classes. vLLM's `priority` is an integer where lower is served
 * earlier and 0 is the default, so a negative integer means `high` and 0 or more `normal`.
 * The body's `priority` wins over the `x-priority` header (same spellings).
 */
export function resolvePriority(body: number | 'high' | 'normal' | null | undefined, header: string | string[] | undefined): 'high' | 'normal' {
  if (body !== undefined && body !== null) return typeof body === 'number' ? (body < 0 ? 'high' : 'normal') : body;
  if (header === undefined) return 'normal';
  const raw = (Array.isArray(header) ? header[0] ?? '' : header).trim();
  if (raw === 'high' || raw === 'normal') return raw;
  if (/^[+-]?\d+$/.test(raw)) return Number(raw) < 0 ? 'high' : 'normal';
  throw badParam('x-priority', `Invalid x-priority header "${raw}": expected high, normal or an integer (negative is high).`);
}
