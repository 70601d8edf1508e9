// A profile folder: everything the simulator needs to stand in for the measured fleet.
//   profile.csv     the step table (model.perf: {kind: table, file: profile.csv}), made monotone
//                   with a row at 0 tokens per series (monotoneTable), so no step prices below zero
//   profile.json    machine, model, engine, how it was measured, and every derived figure
//   simulator.json  the config fragment to merge into a run config (model, migration, cluster:
//                   frontend, contention where a calibration replay fitted it)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelArch } from '../model/arch.ts';
import type { ProfileResult } from './profile-engine.ts';
import { monotoneTable, profileCsv, spread } from './profile-grid.ts';
import type { KvTransferProfile } from './profile-kv.ts';

export const JITTER_FILE = 'step-jitter.csv';

export interface ProfileFolder {
  readonly dir: string;
  readonly csv: string;
  /** The fragment simulator.json holds. */
  readonly simulator: Record<string, unknown>;
}

export interface ProfileExtras {
  /** Measured on the KV transfer path (migration stages). */
  readonly kv_transfer?: KvTransferProfile;
  /** Seconds from starting an engine to serving (model open + runner + KV pool), medians. */
  readonly startup_s?: number;
  /** Quantiles of step time ÷ its shape's mean (written as step-jitter.csv, `perf.jitter`). */
  readonly jitter_ratios?: { readonly prefill: readonly number[]; readonly decode: readonly number[] };
  /** perf.jitter_memory as fitted on a calibration replay (with jitter_ratios). */
  readonly jitter_memory?: { readonly share: number; readonly per_step: number };
  /** cluster.contention as fitted on a calibration replay: factors per number of other instances mid-step, and the steps seen per level. */
  readonly contention?: { readonly step_factors: readonly number[]; readonly steps_per_level: readonly number[] };
  /** migration.control_ms as fitted on a calibration replay's forced migrations (with kv_transfer). */
  readonly migration_control_ms?: number;
  /** The path around the engines as the caller estimated it (default: medians of the profile's samples). */
  readonly frontend?: { readonly dispatch_ms: number; readonly delivery_ms: number };
}

/** The medians the simulator is given for the path around the engines (0 where not measured). */
export function frontendOf(profile: ProfileResult): { dispatch_ms: number; delivery_ms: number } {
  // Clamped at 0: clocks of two processes agree only to within microseconds.
  const median = (xs: readonly number[]): number => (xs.length === 0 ? 0 : Math.max(0, spread(xs).median));
  return { dispatch_ms: median(profile.frontend.dispatch_ms), delivery_ms: median(profile.frontend.delivery_ms) };
}

export async function writeProfileFolder(dir: string, profile: ProfileResult, extras: ProfileExtras = {}): Promise<ProfileFolder> {
  await mkdir(dir, { recursive: true });
  const csv = path.join(dir, 'profile.csv');
  await writeFile(csv, profileCsv(monotoneTable(profile.rows)));
  const arch = profile.meta['arch'] as ModelArch;
  const frontend = extras.frontend ?? frontendOf(profile);
  const nonForward = profile.non_forward_ms.length === 0 ? undefined : spread(profile.non_forward_ms);
  const simulator = {
    model: {
      name: String(profile.meta['model']), layers: arch.num_hidden_layers, kv_heads: arch.num_key_value_heads, head_dim: arch.head_dim,
      dtype_bytes: 4, perf: { kind: 'table', file: 'profile.csv', ...(extras.jitter_ratios === undefined ? {} : { jitter: JITTER_FILE }),
        ...(extras.jitter_ratios === undefined || extras.jitter_memory === undefined ? {} : { jitter_memory: { share: Number(extras.jitter_memory.share.toFixed(6)), per_step: Number(extras.jitter_memory.per_step.toFixed(6)) } }),
      },
    },
    cluster: {
      frontend,
      ...(extras.contention === undefined ? {} : { contention: { step_factors: extras.contention.step_factors.map((f) => Number(f.toFixed(6))) } }),
      ...(extras.startup_s === undefined ? {} : { startup_s: Number(extras.startup_s.toFixed(4)) }),
    },
    ...(extras.kv_transfer === undefined
      ? {}
      : {
          migration: {
            bandwidth_gbps: Number(extras.kv_transfer.bandwidth_gbps.toFixed(4)), stage_overhead_ms: Number(extras.kv_transfer.stage_overhead_ms.toFixed(4)),
            ...(extras.migration_control_ms === undefined ? {} : { control_ms: Number(extras.migration_control_ms.toFixed(4)) }),
          },
        }),
  };
  const meta = {
    ...profile.meta,
    frontend,
    // Inside every table row already (rows are whole steps); reported so it can be compared with
    // a perf model's step_overhead_ms, never added to this table again.
    ...(nonForward === undefined ? {} : { non_forward_ms: { median: nonForward.median, p10: nonForward.p10, p90: nonForward.p90, samples: profile.non_forward_ms.length } }),
    ...(extras.kv_transfer === undefined ? {} : { kv_transfer: extras.kv_transfer }),
    ...(extras.startup_s === undefined ? {} : { startup_s: extras.startup_s }),
    ...(extras.contention === undefined ? {} : { contention: extras.contention }),
  };
  if (extras.jitter_ratios !== undefined) await writeFile(path.join(dir, JITTER_FILE), `phase,ratio\n${(['prefill', 'decode'] as const).flatMap((phase) => (extras.jitter_ratios?.[phase] ?? []).map((r) => `${phase},${r.toFixed(6)}`)).join('\n')}\n`);
  await writeFile(path.join(dir, 'profile.json'), `${JSON.stringify(meta, null, 2)}\n`);
  await writeFile(path.join(dir, 'simulator.json'), `${JSON.stringify(simulator, null, 2)}\n`);
  return { dir, csv, simulator };
}
