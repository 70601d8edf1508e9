// Replays a trace on the real fleet, open loop (each request sent at its arrival time whatever
// the fleet's state), and times every token as the client sees it.
import type { Fleet } from '../backend/manager/fleet.ts';
import { observeFleet } from '../backend/manager/fleet-records.ts';
import { parseSamplingParams } from '../backend/engine/sampling-params.ts';
import type { RequestRecord, RunObserver } from '../metrics/index.ts';
import { promptIds, type TraceRow } from './workload.ts';

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
}

const REQUEST_PREFIX = 'fidelity-';

/**
 * Replays `rows` on the fleet. With an observer, the run's records go to it as they happen on
 * the replay's clock: each request as it finishes, the fleet's migrations and (when the
 * observer takes steps) every engine step; the replay returns once every step report arrived.
 */
export async function replayOnFleet(fleet: Fleet, rows: readonly TraceRow[], seed: number, observer?: RunObserver): Promise<RequestTiming[]> {
  // Ids below 256 exist in every vocabulary the engine serves (byte-level tokens).
  const vocab = 256;
  const origin_s = fleet.now_s;
  const t0 = performance.now();
  const unobserve = observer === undefined
    ? () => {}
    : observeFleet(fleet, observer, { origin_s, requestIndex: (id) => (id.startsWith(REQUEST_PREFIX) ? Number(id.slice(REQUEST_PREFIX.length)) : -1) });
  try {
    const timings = await Promise.all(rows.map(async (row, index) => {
      const timing = await replayOne(fleet, row, index, seed, vocab, t0);
      observer?.request?.(requestRecord(timing, row));
      return timing;
    }));
    if (observer?.step !== undefined) await stepsSettled(fleet);
    return timings;
  } finally {
    unobserve();
  }
}

/** The neutral record of a replayed request, as the client timed it. */
export function requestRecord(r: RequestTiming, row: TraceRow): RequestRecord {
  const first = r.sent_s + r.ttft_s;
  const end = r.sent_s + r.e2e_s;
  return {
    id: r.index, priority: 'normal', instance: -1, arrival_s: r.sent_s, prompt_tokens: row.prompt_tokens, output_tokens: r.output_tokens,
    first_scheduled_s: undefined, first_token_s: first, last_token_s: end, finish_s: end, execution_s: 0, preemptions: 0, migrations: 0, recomputes: [],
  };
}

/**
 * Every request finished, but the report of an instance's last step travels on its report
 * stream, apart from the tokens: wait until every instance's latest report shows it idle.
 */
async function stepsSettled(fleet: Fleet, timeout_ms = 10_000): Promise<void> {
  const deadline = performance.now() + timeout_ms;
  while (!fleet.view().instances.every((r) => r.running === 0 && r.waiting === 0)) {
    if (performance.now() > deadline) throw new Error(`the fleet's last step reports did not arrive within ${timeout_ms} ms of the replay's end`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function replayOne(fleet: Fleet, row: TraceRow, index: number, seed: number, vocab: number, t0: number): Promise<RequestTiming> {
  const now = (): number => (performance.now() - t0) / 1e3;
  const wait = row.arrival_s * 1e3 - (performance.now() - t0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const sent = now();
  const sampling = parseSamplingParams({ max_tokens: row.output_tokens, temperature: 0, ignore_eos: true });
  const times: number[] = [];
  for await (const d of fleet.generate({ request_id: `${REQUEST_PREFIX}${index}`, prompt_token_ids: promptIds(row.prompt_tokens, index, seed, vocab), sampling })) {
    const t = now();
    for (let k = 0; k < d.token_ids.length; k++) times.push(t);
  }
  const first = times[0] ?? sent;
  const last = times[times.length - 1] ?? sent;
  const itl = times.slice(1).map((t, k) => t - (times[k] as number));
  return {
    index, sent_s: sent, ttft_s: first - sent, e2e_s: last - sent,
    tpot_s: times.length > 1 ? (last - first) / (times.length - 1) : 0, itl_s: itl, output_tokens: times.length,
  };
}
