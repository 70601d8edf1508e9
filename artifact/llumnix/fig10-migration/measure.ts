import { fittedPerfModel } from '../../../sim/index.ts';
import { meanOf } from '../claims.ts';
import { FIG10_LENGTHS, type Fig10Model } from './models.ts';
import { runScenario } from './scenario.ts';

/** One sequence length of Fig. 10 for one model (ms). */
export interface Fig10Row {
  readonly model: string;
  readonly length: number;
  /** Live migration (multi-stage): the request's suspension. */
  readonly migration_ms: number | undefined;
  /** Stop-and-copy (one stage): the request is suspended for the whole copy. */
  readonly blocking_copy_ms: number | undefined;
  /** Recompute instead of migrating: a prefill of L tokens. */
  readonly recompute_ms: number;
  /** Mean decode step on the source during the live migration, and in the same window without it. */
  readonly decode_migrating_ms: number | undefined;
  readonly decode_normal_ms: number | undefined;
}

const meanIn = (decodes: readonly { start_s: number; ms: number }[], w: readonly [number, number] | undefined) =>
  w === undefined ? undefined : meanOf(decodes.filter((d) => d.start_s >= w[0] && d.start_s < w[1]).map((d) => d.ms));

export function measureFig10(model: Fig10Model, lengths: readonly number[] = FIG10_LENGTHS): Fig10Row[] {
  const base = { bandwidth_gbps: model.bandwidth_gbps };
  return lengths.map((length) => {
    const live = runScenario(model, length, base);
    const stop = runScenario(model, length, { ...base, max_stages: 1 });
    const normal = runScenario(model, length, false);
    return {
      model: model.label,
      length,
      migration_ms: live.downtime_ms,
      blocking_copy_ms: stop.downtime_ms,
      recompute_ms: fittedPerfModel(model.label, model.perf).prefill_ms([length]),
      decode_migrating_ms: meanIn(live.decodes, live.window),
      decode_normal_ms: meanIn(normal.decodes, live.window),
    };
  });
}
