/**
 * Checkpoint loaders as cost models (like `PerfModel`): parameters, not outcomes. A load moves
 * `bytes` through a path of stages (network or SSD, then the instance's PCIe links, plus a
 * host-side deserialisation stage for loaders that have one):
 *   pipelined     t = overhead + bytes / min(stage bandwidths)   (chunks flow through every stage at once)
 *   not pipelined t = overhead + Σ bytes / stage bandwidth        (each stage finishes before the next)
 * Device stages run at `io_efficiency` × their device ceiling. Calibration: calibration.ts.
 */
import { z } from 'zod';
import { LOADER_CALIBRATION } from './calibration.ts';

export const LOADER_KINDS = ['fleetlab', 'safetensors', 'pytorch'] as const;
export type LoaderKind = (typeof LOADER_KINDS)[number];

export const LoaderSpec = z.discriminatedUnion('kind', [
  /** A calibrated loader: fleetlab (ServerlessLLM-style), safetensors or pytorch. */
  z.strictObject({ kind: z.enum(LOADER_KINDS) }),
  z.strictObject({
    kind: z.literal('custom'),
    name: z.string().min(1).default('custom'),
    /** Fraction of each device stage's ceiling reached. Unitless. */
    io_efficiency: z.number().gt(0).max(1),
    /** Whether stages overlap (chunked pipeline) or run one after another. */
    pipelined: z.boolean(),
    /** Host-side deserialisation / copy ceiling; omit for none. GB/s. */
    host_gb_per_s: z.number().positive().finite().optional(),
    /** Fixed cost of every load (process, allocation, confirmation). Seconds. */
    overhead_s: z.number().nonnegative(),
  }),
]);
export type LoaderSpec = z.output<typeof LoaderSpec>;

export interface LoaderParams {
  readonly name: string;
  readonly io_efficiency: number;
  readonly pipelined: boolean;
  /** Infinity when the loader has no host-side stage. Bytes per second. */
  readonly host_bytes_per_s: number;
  readonly overhead_s: number;
}

export function loaderParams(spec: LoaderSpec): LoaderParams {
  if (spec.kind === 'custom') {
    return {
      name: spec.name,
      io_efficiency: spec.io_efficiency,
      pipelined: spec.pipelined,
      host_bytes_per_s: spec.host_gb_per_s === undefined ? Infinity : spec.host_gb_per_s * 1e9,
      overhead_s: spec.overhead_s,
    };
  }
  return LOADER_CALIBRATION[spec.kind];
}

/** Seconds to move `bytes` through device stages of these ceilings (bytes per second). */
export function loadSeconds(loader: LoaderParams, bytes: number, deviceStages_bytes_per_s: readonly number[]): number {
  const stages = deviceStages_bytes_per_s.map((b) => b * loader.io_efficiency);
  if (Number.isFinite(loader.host_bytes_per_s)) stages.push(loader.host_bytes_per_s);
  const transfer = loader.pipelined ? bytes / Math.min(...stages) : stages.reduce((sum, b) => sum + bytes / b, 0);
  return loader.overhead_s + transfer;
}
