/**
 * Migration-trigger specs (zod, discriminated on `kind`) and their factory.
 */
import { z } from 'zod';
import { parseSpec } from '../errors.ts';
import { makeRegistry } from '../registry.ts';
import type { MigrationTrigger } from '../types.ts';
import { EVERY_INTERVAL, everyIntervalTrigger } from './every-interval.ts';
import { EVERY_REPORTS, everyReportsTrigger } from './every-reports.ts';

export const TriggerSpec = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal(EVERY_REPORTS),
    /** k: pair every N × k step reports, N = reporting instances (artifact: 4). */
    reports_per_instance: z.number().int().positive().default(4),
  }),
  z.strictObject({
    kind: z.literal(EVERY_INTERVAL),
    /** Seconds between two pairing rounds (Llumnix main: 0.05 s). */
    interval_s: z.number().positive().default(0.05),
  }),
]);
export type TriggerSpec = z.output<typeof TriggerSpec>;
export type TriggerSpecInput = z.input<typeof TriggerSpec>;

const registry = makeRegistry<TriggerSpec, undefined, MigrationTrigger>(
  'trigger',
  TriggerSpec.options.map((o) => o.shape.kind.value),
  [
    { kind: EVERY_REPORTS, build: (spec) => everyReportsTrigger(spec.reports_per_instance) },
    { kind: EVERY_INTERVAL, build: (spec) => everyIntervalTrigger(spec.interval_s) },
  ],
);

/** Validates `spec` (throws `ConfigError` naming field, value, expectation) and builds it. */
export function createMigrationTrigger(spec: TriggerSpecInput | unknown): MigrationTrigger {
  return registry.build(parseSpec('trigger', TriggerSpec, spec), undefined);
}
