// Bounded-time fuzzing of the inputs a user (or a peer) controls: run configs, trace files and
// the KV wire format. A seeded mutator (reproducible from the seed it prints) feeds each
// parser; the only acceptable outcomes are a result or the parser's own clear error.
import seedrandom from 'seedrandom';
import { applyOverrides } from '../../cli/overrides.ts';
import { findPreset } from '../../artifact/presets.ts';
import { ConfigError } from '../../config/index.ts';
import { encodeHeader, FrameReader, HEADER_BYTES, MsgType, bodyCrc } from '../../backend/native/wire.ts';
import { TransferError } from '../../backend/native/errors.ts';
import { parseRunConfig } from '../../sim/index.ts';
import { loadTraceText, parseTraceSource, TraceError, type TraceSource } from '../../traces/index.ts';

type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)] as T;

const NASTY: readonly unknown[] = [
  Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e308, 1e12, 0.5, -0, '', ' ', '..', '../x', '__proto__', 'constructor',
  null, true, [], {}, [1, 2], { __proto__: 1 }, '1e400', 2 ** 53,
];

/** One text mutation: flip, insert, delete or duplicate a slice. */
export function mutateText(text: string, rng: Rng): string {
  const at = int(rng, text.length + 1);
  switch (int(rng, 5)) {
    case 0:
      return text.slice(0, at) + String.fromCharCode(int(rng, 128)) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + pick(rng, [',', '\n', '"', '-', '9', 'e', '.', '{', '}', '\r\n', '\0']) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + int(rng, 8));
    case 3: {
      const len = int(rng, 40);
      return text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
    }
    default:
      return text.slice(0, at);
  }
}

/** Replaces a random field somewhere in a JSON-like value with a nasty value. */
function mutateValue(value: unknown, rng: Rng, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 6 || rng() < 0.15) return pick(rng, NASTY);
  if (Array.isArray(value)) {
    if (value.length === 0) return [pick(rng, NASTY)];
    const i = int(rng, value.length);
    return value.map((v, j) => (j === i ? mutateValue(v, rng, depth + 1) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0 || rng() < 0.1) return { ...value, [pick(rng, ['extra', '__proto__', 'constructor', 'name'])]: pick(rng, NASTY) };
  const key = pick(rng, keys);
  return { ...(value as Record<string, unknown>), [key]: mutateValue((value as Record<string, unknown>)[key], rng, depth + 1) };
}

export interface FuzzFailure {
  readonly target: string;
  readonly seed: string;
  readonly input: string;
  readonly error: string;
}

const PRESETS = ['llumnix-fig11/M-M/llumnix', 'llumnix-fig11/BurstGPT/infaas++', 'llumnix-fig11/ShareGPT/round-robin'];

/** Config parsing: mutated presets, mutated JSON text, hostile --set overrides. */
function configCase(rng: Rng): { input: string; run(): void } {
  const base = findPreset(pick(rng, PRESETS)) as Record<string, unknown>;
  const kind = int(rng, 3);
  if (kind === 0) {
    const mutated = mutateValue(base, rng);
    return { input: JSON.stringify(mutated), run: () => void parseRunConfig(mutated) };
  }
  if (kind === 1) {
    let text = JSON.stringify(base);
    for (let i = 0, n = 1 + int(rng, 4); i < n; i++) text = mutateText(text, rng);
    return {
      input: text,
      run: () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return; // not JSON: the loader reports that before parsing
        }
        parseRunConfig(parsed);
      },
    };
  }
  const key = pick(rng, ['name', 'seed', 'cluster.instances', 'workload.num_requests', '__proto__.x', 'a..b', 'constructor.prototype.x', 'metrics.sample_interval_s', 'workload.arrival.rate_per_s']);
  const set = `${key}=${String(pick(rng, NASTY))}`;
  return { input: set, run: () => void parseRunConfig(applyOverrides(base, [set])) };
}

const TRACES: Record<string, string> = {
  vidur: 'arrived_at,num_prefill_tokens,num_decode_tokens\n5,10,10\n0.5,11,11\n9,12,12\n0,13,0\n',
  azure: 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:08.0,10,10\n2023-11-16 18:17:03.5,11,11\n',
  burstgpt: 'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n7,ChatGPT,10,10,20,Conversation log\n2.5,GPT-4,11,0,11,API log\n',
  mooncake: '{"timestamp": 4000, "input_length": 10, "output_length": 10, "hash_ids": [1, 2]}\n{"timestamp": 1000, "input_length": 11, "output_length": 11}\n',
  sharegpt: '[{"id": "a", "conversations": [{"from": "human", "value": "hello there"}, {"from": "gpt", "value": "hi"}]}]',
  lengths: 'num_prefill_tokens,num_decode_tokens\n10,10\n20,0\n',
};

/** Trace loaders: mutated files of every format; kept rows must be valid and in time order. */
function traceCase(rng: Rng): { input: string; run(): void } {
  const format = pick(rng, Object.keys(TRACES));
  let text = TRACES[format] as string;
  for (let i = 0, n = 1 + int(rng, 5); i < n; i++) text = mutateText(text, rng);
  return {
    input: `${format}: ${JSON.stringify(text)}`,
    run: () => {
      const source = parseTraceSource({ format, path: `fuzz.${format}` }) as TraceSource;
      const trace = loadTraceText(text, source, 'fuzz');
      let last = 0;
      for (const row of trace.rows) {
        if (!Number.isSafeInteger(row.prompt_tokens) || !Number.isSafeInteger(row.output_tokens)) throw new Error(`bad token count in ${JSON.stringify(row)}`);
        if (row.arrival_s !== undefined) {
          if (!(row.arrival_s >= last)) throw new Error(`arrivals out of order or negative: ${row.arrival_s} after ${last}`);
          last = row.arrival_s;
        }
      }
    },
  };
}

/** KV wire format: valid frames, mutated, split into random chunks. */
function wireCase(rng: Rng): { input: string; run(): void } {
  const frames: Buffer[] = [];
  for (let i = 0, n = 1 + int(rng, 3); i < n; i++) {
    const body = Buffer.from(Array.from({ length: int(rng, 64) }, () => int(rng, 256)));
    const type = pick(rng, [MsgType.Blocks, MsgType.Ack, MsgType.Nack]);
    frames.push(encodeHeader({ type, seq: i, count: int(rng, 4), bodyBytes: body.length, bodyCrc: bodyCrc([body]) }), body);
  }
  const stream = Buffer.concat(frames);
  for (let i = 0, n = int(rng, 4); i < n; i++) {
    const at = int(rng, stream.length);
    stream[at] = int(rng, 256);
  }
  return {
    input: stream.toString('hex'),
    run: () => {
      const maxBody = 1024;
      const reader = new FrameReader(maxBody, (n) => {
        if (n > maxBody) throw new Error(`allocated ${n} bytes, above the ${maxBody} limit`);
        return Buffer.alloc(n);
      });
      for (let at = 0; at < stream.length; ) {
        const len = 1 + int(rng, HEADER_BYTES * 2);
        reader.push(stream.subarray(at, at + len), (h, body) => {
          if (body.length !== h.bodyBytes) throw new Error('body length differs from its header');
        });
        at += len;
      }
    },
  };
}

const TARGETS = { config: configCase, trace: traceCase, wire: wireCase } as const;
/** The errors each target may throw: anything else is a bug. */
const EXPECTED: Record<keyof typeof TARGETS, readonly (abstract new (...args: never[]) => Error)[]> = {
  config: [ConfigError],
  trace: [TraceError, ConfigError],
  wire: [TransferError],
};

/** Runs every target in turn until `seconds` have passed; returns the failures (at most 20). */
export function fuzz(seconds: number, seed: string): { cases: number; failures: FuzzFailure[]; outcomes: Record<string, { ok: number; refused: number }> } {
  const end = performance.now() + seconds * 1e3;
  const failures: FuzzFailure[] = [];
  const outcomes: Record<string, { ok: number; refused: number }> = { config: { ok: 0, refused: 0 }, trace: { ok: 0, refused: 0 }, wire: { ok: 0, refused: 0 } };
  let cases = 0;
  const names = Object.keys(TARGETS) as (keyof typeof TARGETS)[];
  while (performance.now() < end && failures.length < 20) {
    const target = names[cases % names.length] as keyof typeof TARGETS;
    const caseSeed = `${seed}/${cases}`;
    const rng = seedrandom(caseSeed);
    const c = TARGETS[target](() => rng());
    try {
      c.run();
      outcomes[target]!.ok++;
    } catch (error) {
      if (EXPECTED[target].some((E) => error instanceof E)) outcomes[target]!.refused++;
      else {
        failures.push({ target, seed: caseSeed, input: c.input.slice(0, 400), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    }
    cases++;
  }
  return { cases, failures, outcomes };
}
