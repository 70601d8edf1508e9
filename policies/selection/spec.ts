/**
 * Request-selector specs (zod, discriminated on `kind`) and their factory.
 */
import { z } from 'zod';
import { parseSpec } from '../errors.ts';
import { makeRegistry } from '../registry.ts';
import type { RequestSelector } from '../types.ts';
import { LR, longestSelector, shortestSelector, SR } from './by-length.ts';
import { LCFS, lcfsSelector } from './lcfs.ts';

export const SelectorSpec = z.discriminatedUnion('kind', [
  /** Last admitted eligible request (artifact default, intent version). */
  z.strictObject({ kind: z.literal(LCFS) }),
  /** Shortest prompt + generated length (Llumnix main default). */
  z.strictObject({ kind: z.literal(SR) }),
  /** Longest prompt + generated length. */
  z.strictObject({ kind: z.literal(LR) }),
]);
export type SelectorSpec = z.output<typeof SelectorSpec>;
export type SelectorSpecInput = z.input<typeof SelectorSpec>;

const registry = makeRegistry<SelectorSpec, undefined, RequestSelector>(
  'selector',
  SelectorSpec.options.map((o) => o.shape.kind.value),
  [
    { kind: LCFS, build: () => lcfsSelector() },
    { kind: SR, build: () => shortestSelector() },
    { kind: LR, build: () => longestSelector() },
  ],
);

/** Validates `spec` (throws `ConfigError` naming field, value, expectation) and builds it. */
export function createRequestSelector(spec: SelectorSpecInput | unknown): RequestSelector {
  return registry.build(parseSpec('selector', SelectorSpec, spec), undefined);
}
