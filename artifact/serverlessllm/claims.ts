/**
 * ServerlessLLM's claims as data, judged by the one verdict rule of every reproduction
 * (artifact/verdict.ts): `<figure>/<id>.claim` per claim, plus claims.json and claims.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeClaimsFiles } from '../claims-table.ts';
import { type ClaimInput, type ClaimRecord, RULE_TEXT, toRecord } from '../verdict.ts';

/**
 * The paper's numbers (reference/serverlessllm.md §8): loading speed-ups small → largest model
 * (vs PyTorch 6× → 8.2×, vs Safetensors 3.6× → 4.7×), P99 latency of live migration against
 * Shepherd* and availability placement 1.27–1.95×, and the OPT-6.7B / GSM8K mean latency of
 * ServerlessLLM 0.8 s vs Ray Serve 12.1 s and Ray Serve + Cache 8.2 s; the headline "10–200×".
 */
export const SLLM_PAPER = {
  'loading.vs_safetensors.smallest': 3.6,
  'loading.vs_safetensors.largest': 4.7,
  'loading.vs_pytorch.smallest': 6,
  'loading.vs_pytorch.largest': 8.2,
  'placement.p99_vs_shepherd_availability.min': 1.27,
  'placement.p99_vs_shepherd_availability.max': 1.95,
  'e2e.mean_vs_ray_serve.up_to': 12.1 / 0.8,
  'e2e.mean_vs_ray_serve_cache.up_to': 8.2 / 0.8,
  'e2e.mean_vs_baselines.up_to': 200,
} as const satisfies Record<string, number>;

export function judgeAll(inputs: readonly ClaimInput[]): ClaimRecord[] {
  return inputs.map(toRecord);
}

export function writeClaims(out: string, mode: string, claims: readonly ClaimRecord[]): void {
  for (const claim of claims) {
    mkdirSync(join(out, claim.figure), { recursive: true });
    writeFileSync(join(out, claim.figure, `${claim.id}.claim`), `${JSON.stringify(claim, null, 2)}\n`);
  }
  writeClaimsFiles(out, { paper: 'serverlessllm', mode, rule: RULE_TEXT, claims }, "ServerlessLLM (OSDI'24) claims: fleetlab simulation vs the paper");
}

export function rangeOf(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? [NaN, NaN] : [Math.min(...finite), Math.max(...finite)];
}
