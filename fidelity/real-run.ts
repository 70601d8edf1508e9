// Replays a trace on the real fleet, open loop (each request sent at its arrival time whatever
// the fleet's state), and times every token as the client sees it.
import type { Fleet } from '../backend/manager/fleet.ts';
import { parseSamplingParams } from '../backend/engine/sampling-params.ts';
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

export async function replayOnFleet(fleet: Fleet, rows: readonly TraceRow[], seed: number): Promise<RequestTiming[]> {
  // Ids below 256 exist in every vocabulary the engine serves (byte-level tokens).
  const vocab = 256;
  const t0 = performance.now();
  const now = (): number => (performance.now() - t0) / 1e3;
  const runs = rows.map(async (row, index): Promise<RequestTiming> => {
    const wait = row.arrival_s * 1e3 - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = now();
    const sampling = parseSamplingParams({ max_tokens: row.output_tokens, temperature: 0, ignore_eos: true });
    const times: number[] = [];
    for await (const d of fleet.generate({ request_id: `fidelity-${index}`, prompt_token_ids: promptIds(row.prompt_tokens, index, seed, vocab), sampling })) {
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
  });
  return Promise.all(runs);
}
