import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunConfig, type RunConfig, type RunConfigInput, simulate } from '../../sim/index.ts';
import type { SimRunResult } from '../../sim/run.ts';

export const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;

export const tempDir = (prefix = 'fleetlab-hostile-'): string => mkdtempSync(join(tmpdir(), prefix));

/** A run of a few requests on 2 instances: milliseconds to simulate. */
export function tinyInput(overrides: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name: 'tiny',
    cluster: { instances: 2, total_blocks: 200 },
    scheduler: { dispatch: { kind: 'round-robin' } } as never,
    workload: {
      num_requests: 20,
      arrival: { kind: 'poisson', rate_per_s: 5 },
      lengths: { prompt: { kind: 'uniform', mean_tokens: 32, range_tokens: 32 }, output: { kind: 'uniform', mean_tokens: 16, range_tokens: 16 } },
    },
    ...overrides,
  } as RunConfigInput;
}

export function tinyConfig(overrides: Partial<RunConfigInput> = {}): RunConfig {
  return parseRunConfig(tinyInput(overrides));
}

export function tinyResult(overrides: Partial<RunConfigInput> = {}, baseDir?: string): SimRunResult {
  return simulate(tinyConfig(overrides), baseDir === undefined ? {} : { baseDir });
}

export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the fleetlab CLI to completion (bounded by `timeout_ms`) in `cwd`. */
export function cli(args: readonly string[], cwd: string, timeout_ms = 120_000): Promise<CliOutcome> {
  return cliProcess(args, cwd, timeout_ms).done;
}

/** Starts the fleetlab CLI (one process: bin/fleetlab.js loads tsx in-process); `pid` to signal it. */
export function cliProcess(args: readonly string[], cwd: string, timeout_ms = 120_000): { pid: number | undefined; done: Promise<CliOutcome> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<CliOutcome>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`fleetlab ${args.join(' ')} did not finish in ${timeout_ms} ms`));
    }, timeout_ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { pid: child.pid, done };
}

/** The pid of a process that has exited (for stale-partial tests). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}
