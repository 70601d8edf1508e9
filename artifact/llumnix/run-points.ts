import type { RunSummary } from '../../metrics/index.ts';
import { runSweep, type SweepPoint } from '../../sweep/index.ts';
import { BASE_SEED, type FigureContext } from './figure.ts';

/** A finished point with the labels the figure gave it. */
export interface Measured {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly summary: RunSummary;
}

/** Runs a figure's points as one sweep under `<figure dir>/points/`; finished points are reused. */
export async function runPoints(ctx: FigureContext, name: string, points: readonly SweepPoint[]): Promise<Measured[]> {
  const outcomes = await runSweep({ name, base_seed: BASE_SEED, points }, { out: ctx.dir, workers: ctx.workers, progress: ctx.progress });
  return outcomes.map((o) => ({ labels: o.point.labels, summary: o.summary }));
}

export const label = (m: Measured, key: string): string => String(m.labels[key] ?? '');
export const num = (m: Measured, key: string): number => Number(m.labels[key]);

/** Point ids are folder names: keep [A-Za-z0-9._+-]. */
export const idPart = (text: string | number): string => String(text).replace(/[^A-Za-z0-9._+-]/g, '_');
