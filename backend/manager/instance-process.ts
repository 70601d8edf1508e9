// Starts one instance as its own process (fault isolation: an instance that dies takes
// nothing else with it) and stops it by pid: SIGTERM, then SIGKILL if it does not exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ColdStart } from '../engine/cold-start.ts';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';

// From the compiled tree (dist/, scripts/build.mjs) the instance's entry is JavaScript and needs
// no loader; from the sources it is TypeScript, run through tsx (its loader resolved from here,
// not from the caller's working directory, which may have no node_modules).
const COMPILED = import.meta.url.endsWith('.js');
const MAIN = fileURLToPath(new URL(COMPILED ? '../instance/main.js' : '../instance/main.ts', import.meta.url));
const LOADER: readonly string[] = COMPILED ? [] : ['--import', import.meta.resolve('tsx')];

export interface InstanceProcess {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** The instance's KV transfer receiver (incoming migrations). */
  readonly kv_port: number;
  readonly max_model_len: number;
  /** The engine's load, stage by stage, from the ready message. */
  readonly cold_start?: ColdStart;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) when the process is gone. */
  readonly exited: Promise<number | string>;
  stop(grace_ms?: number): Promise<void>;
}

export interface StartInstanceOptions {
  host?: string;
  ready_timeout_ms?: number;
  /** The instance exits when this process does (its stdin is a pipe from here): a node agent's, a local fleet's. */
  exit_with_parent?: boolean;
}

export async function startInstanceProcess(engine: LLMEngineOptions, opts: StartInstanceOptions = {}): Promise<InstanceProcess> {
  const host = opts.host ?? '127.0.0.1';
  const withParent = opts.exit_with_parent === true;
  const child = spawn(process.execPath, [...LOADER, MAIN, '--options', JSON.stringify({ host, port: 0, engine, ...(withParent ? { exit_with_parent: true } : {}) })], {
    stdio: [withParent ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ port: number; kv_port: number; max_model_len: number; cold_start?: ColdStart }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance process ${child.pid} did not report ready within ${opts.ready_timeout_ms ?? 120_000} ms`));
    }, opts.ready_timeout_ms ?? 120_000);
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { ready?: boolean; port?: number; kv_port?: number; max_model_len?: number; cold_start?: ColdStart };
        if (msg.ready === true && typeof msg.port === 'number' && typeof msg.kv_port === 'number' && typeof msg.max_model_len === 'number') {
          clearTimeout(timer);
          resolve({ port: msg.port, kv_port: msg.kv_port, max_model_len: msg.max_model_len, ...(msg.cold_start !== undefined ? { cold_start: msg.cold_start } : {}) });
        }
      } catch {
        // Not the ready line: the instance's own output, ignored.
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`instance process exited (${code}) before it was ready; its stderr above says why`));
    });
  });
  const stop = async (grace_ms = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), grace_ms);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: child.pid!, host, port: ready.port, kv_port: ready.kv_port, max_model_len: ready.max_model_len,
    ...(ready.cold_start !== undefined ? { cold_start: ready.cold_start } : {}), child, exited, stop,
  };
}
