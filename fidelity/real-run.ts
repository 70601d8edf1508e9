// Replays a trace on the real fleet, open loop (each request sent at its arrival time whatever
// the fleet's state), and times every token as the client sees it. The instances stamp when
// they received each request and when the step producing each token ended, which splits each
// latency into dispatch, engine and delivery time.
import type { StepTiming } from '../backend/engine/llm-engine.ts';
import type { Fleet } from '../backend/manager/fleet.ts';
import { observeFleet } from '../backend/manager/fleet-records.ts';
import type { RequestRecord, RunObserver } from '../metrics/index.ts';
import { parseSamplingParams } from '../backend/engine/sampling-params.ts';
import { promptIds, type TraceRow } from './workload.ts';
import { UNIX_ORIGIN_MS } from '../backend/rpc/machine-clock.ts';

export interface RequestTiming {
  readonly index: number;
  /** When the request was sent, seconds from the start of the replay. */
  readonly sent_s: number;
  readonly ttft_s: number;
  readonly e2e_s: number;
  /** Mean inter-token time after the first token (vLLM's TPOT); 0 for one token. */
  readonly tpot_s: number;
  /** Every gap between consecutive tokens (vLLM's ITL). */
  readonly itl_s: readonly number[];
  readonly output_tokens: number;
  /** Client send → the instance received it. */
  readonly dispatch_s: number;
  /** Mean over tokens of: the instance's step ended → the client received the token. */
  readonly delivery_s: number;
}

/** One engine step of the replay, as an instance reported it. */
export interface ReplayStep extends StepTiming {
  readonly instance: number;
}

export interface Replay {
  readonly requests: RequestTiming[];
  readonly steps: ReplayStep[];
  readonly makespan_s: number;
  readonly migrations: number;
  readonly preemptions: number;
}

const REQUEST_PREFIX = 'fidelity-';

/**
 * How long a replay may take before it is declared stuck: generous (a loaded 2-core machine ran
 * the imbalance scenario's 7.5 s trace in under a minute), but finite, so a fleet that stops
 * making progress fails the run with a count instead of hanging it.
 */
export function replayLimitS(rows: readonly TraceRow[]): number {
  return 120 + 30 * (rows[rows.length - 1]?.arrival_s ?? 0);
}

/** The neutral record of a replayed request, as the client timed it (what it cannot see is 0). */
export function requestRecord(r: RequestTiming, row: TraceRow): RequestRecord {
  const first = r.sent_s + r.ttft_s;
  const end = r.sent_s + r.e2e_s;
  return {
    id: r.index, priority: 'normal', instance: -1, arrival_s: r.sent_s, prompt_tokens: row.prompt_tokens, output_tokens: r.output_tokens,
    first_scheduled_s: undefined, first_token_s: first, last_token_s: end, finish_s: end, execution_s: 0, preemptions: 0, migrations: 0, recomputes: [],
  };
}

/**
 * Replays `rows` on the fleet (request ids `idPrefix` + row index). With an observer, the run's records go to it as they happen on
 * the replay's clock: each request as it finishes, the fleet's migrations and every engine step.
 */
export async function replayOnFleet(fleet: Fleet, rows: readonly TraceRow[], seed: number, vocab: number, observer?: RunObserver, idPrefix = REQUEST_PREFIX): Promise<Replay> {
  const unobserve = observer === undefined
    ? () => {}
    : observeFleet(fleet, observer, { origin_s: fleet.now_s, requestIndex: (id) => (id.startsWith(idPrefix) ? Number(id.slice(idPrefix.length)) : -1) });
  const steps: ReplayStep[] = [];
  const off = fleet.onEngineStep((instance, step) => steps.push({ ...step, instance }));
  const migrationsBefore = fleet.migrations.filter((m) => m.outcome === 'committed').length;
  const t0 = performance.now();
  const now = (): number => (performance.now() - t0) / 1e3;
  const toS = (unix_ms: number): number => (unix_ms - UNIX_ORIGIN_MS - t0) / 1e3;
  let finished = 0;
  const runs = rows.map(async (row, index): Promise<RequestTiming> => {
    const wait = row.arrival_s * 1e3 - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = now();
    const sampling = parseSamplingParams({ max_tokens: row.output_tokens, temperature: 0, ignore_eos: true });
    const times: number[] = [];
    let arrived = sent;
    let delivery = 0;
    for await (const d of fleet.generate({ request_id: `${idPrefix}${index}`, prompt_token_ids: promptIds(row.prompt_tokens, index, seed, vocab), sampling })) {
      const t = now();
      if (d.arrived_unix_ms !== undefined) arrived = toS(d.arrived_unix_ms);
      for (let k = 0; k < d.token_ids.length; k++) {
        times.push(t);
        if (d.produced_unix_ms !== undefined) delivery += t - toS(d.produced_unix_ms);
      }
    }
    const first = times[0] ?? sent;
    const last = times[times.length - 1] ?? sent;
    const itl = times.slice(1).map((t, k) => t - (times[k] as number));
    const timing: RequestTiming = {
      index, sent_s: sent, ttft_s: first - sent, e2e_s: last - sent,
      tpot_s: times.length > 1 ? (last - first) / (times.length - 1) : 0, itl_s: itl, output_tokens: times.length,
      dispatch_s: arrived - sent, delivery_s: times.length > 0 ? delivery / times.length : 0,
    };
    observer?.request?.(requestRecord(timing, row));
    finished++;
    return timing;
  });
  const limit_s = replayLimitS(rows);
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`real replay stuck: ${finished} of ${rows.length} requests finished within ${limit_s.toFixed(0)} s (the fleet stopped making progress)`)), limit_s * 1e3);
  });
  try {
    const requests = await Promise.race([Promise.all(runs), stuck]);
    clearTimeout(timer);
    const makespan_s = now();
    // The last steps' reports may trail the last tokens (another stream): wait until none has
    // arrived for 100 ms (at most 2 s).
    for (let waited = 0, seen = -1; seen !== steps.length && waited < 2000; waited += 100) {
      seen = steps.length;
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      requests, steps: [...steps], makespan_s,
      migrations: fleet.migrations.filter((m) => m.outcome === 'committed').length - migrationsBefore,
      preemptions: steps.reduce((a, s) => a + s.preempted, 0),
    };
  } finally {
    clearTimeout(timer);
    // The caller stops the fleet; requests still streaming then end with an error nobody awaits.
    for (const r of runs) r.catch(() => {});
    off();
    unobserve();
  }
}
