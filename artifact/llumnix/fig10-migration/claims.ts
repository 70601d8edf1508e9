import { type Claim, maxOf, minOf, withPaper } from '../claims.ts';
import type { Fig10Row } from './measure.ts';

/** The numbers of `figure10_paper.claim` (reference §8.8): ms, ×, steps and %. */
const FIG10_PAPER: Readonly<Record<string, number>> = {
  'migration_downtime.min': 20,
  'migration_downtime.max': 30,
  'baseline_over_migration.up_to': 111,
  'recompute.30b.8k': 3500,
  'recompute.30b.8k.decode_steps': 54,
  'decode_overhead.up_to': 1,
};

const defined = (values: readonly (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined);

export function fig10Claims(rows: readonly Fig10Row[]): Claim[] {
  const r30 = rows.find((r) => r.model === 'LLaMA-30B' && r.length === 8192);
  const worst = rows.map((r) => (r.migration_ms !== undefined && r.migration_ms > 0 ? Math.max(r.blocking_copy_ms ?? 0, r.recompute_ms) / r.migration_ms : undefined));
  const overhead = rows.map((r) => (r.decode_migrating_ms !== undefined && r.decode_normal_ms !== undefined ? (r.decode_migrating_ms / r.decode_normal_ms - 1) * 100 : undefined));
  return withPaper(
    [
      { id: 'migration_downtime.min', text: 'Live-migration downtime, shortest over lengths and models', unit: 'ms', ours: minOf(defined(rows.map((r) => r.migration_ms))) },
      { id: 'migration_downtime.max', text: 'Live-migration downtime, longest over lengths and models', unit: 'ms', ours: maxOf(defined(rows.map((r) => r.migration_ms))) },
      { id: 'baseline_over_migration.up_to', text: 'Stall of the worse baseline (stop-and-copy or recompute) / live-migration downtime, largest', unit: 'x', ours: maxOf(defined(worst)) },
      { id: 'recompute.30b.8k', text: 'Recomputing an 8k sequence on LLaMA-30B', unit: 'ms', ours: r30?.recompute_ms },
      {
        id: 'recompute.30b.8k.decode_steps',
        text: 'The same stall in LLaMA-30B decode steps (at 8k)',
        unit: 'steps',
        ours: r30?.decode_normal_ms === undefined ? undefined : r30.recompute_ms / r30.decode_normal_ms,
      },
      { id: 'decode_overhead.up_to', text: 'Source decode step during migration / without − 1, largest', unit: '%', ours: maxOf(defined(overhead)) },
    ],
    FIG10_PAPER,
  );
}
