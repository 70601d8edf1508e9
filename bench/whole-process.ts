/**
 * Whole-process wall time of `fleetlab run` (start-up, simulation, writing results), as a user
 * sees it: once with the compiled tree (dist/, when it is fresh) and once from the TypeScript
 * sources through tsx (FLEETLAB_FROM_SOURCE=1), so the start-up saving is measured on the same
 * run. Used by `npm run bench:sim`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshEntry } from '../scripts/compiled-tree.mjs';

const bin = fileURLToPath(new URL('../bin/fleetlab.js', import.meta.url));

/** Seconds of wall time of one `fleetlab run` process, or an error naming its stderr. */
function timedRun(preset: string, requests: number, env: NodeJS.ProcessEnv): number {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-bench-')), 'run');
  const started = performance.now();
  const child = spawnSync(process.execPath, [bin, 'run', '--preset', preset, '--num-prompts', String(requests), '--out', out, '--no-progress'], { env, encoding: 'utf8' });
  const wall = (performance.now() - started) / 1e3;
  rmSync(join(out, '..'), { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`fleetlab run exited with ${child.status}: ${child.stderr}`);
  return wall;
}

export function printWholeProcess(preset: string, requests: number, repeat: number): void {
  const compiled = freshEntry() !== undefined;
  console.log(`\nwhole process: fleetlab run --preset ${preset} --num-prompts ${requests} (start-up + simulation + results), wall seconds`);
  const modes: [string, NodeJS.ProcessEnv][] = [['sources via tsx', { ...process.env, FLEETLAB_FROM_SOURCE: '1' }]];
  if (compiled) modes.unshift(['compiled dist/', { ...process.env }]);
  else console.log('  dist/ is missing or older than the sources: `npm run build` to measure the compiled CLI');
  for (const [label, env] of modes) {
    const walls = Array.from({ length: repeat }, () => timedRun(preset, requests, env)).sort((a, b) => a - b);
    console.log(`  ${label.padEnd(16)} median ${walls[Math.floor(walls.length / 2)]?.toFixed(2)} s  (runs: ${walls.map((w) => w.toFixed(2)).join(', ')})`);
  }
}
