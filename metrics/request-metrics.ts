import type { PreemptionCostModel, RequestRecord } from './records.ts';

/** Per-request metrics, defined as Llumnix's process_log.py does (llumnix.md §8.3). */
export interface RequestMetrics {
  readonly request_id: number;
  readonly priority: string;
  readonly instance_id: number;
  readonly arrival_s: number;
  readonly first_scheduled_s: number;
  readonly first_token_s: number;
  readonly finish_s: number;
  readonly prompt_tokens: number;
  readonly output_tokens: number;
  /** Request latency: arrival → last token (vLLM's E2EL). */
  readonly request_latency_s: number;
  /** Prefill latency: arrival → first token, queueing included (vLLM's TTFT). */
  readonly prefill_latency_s: number;
  /** Decode latency: mean gap between consecutive tokens after the first (vLLM's TPOT); 0 for one token. */
  readonly decode_latency_s: number;
  /** Σ durations of the iterations the request took part in (Fig. 13 "decode execution time"). */
  readonly execution_s: number;
  readonly preemptions: number;
  readonly migrations: number;
  /** The artifact's preemption loss of this request (see summary). */
  readonly preemption_loss_s: number;
  /** Σ (re-prefill end − kill): time its KV cache was gone. */
  readonly preemption_stall_s: number;
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Artifact formula, per re-prefill after a kill: (readmission − kill) + (prefill(pad8(n)) −
 * decode(8, n)) / 1000 with n the output tokens at the kill (prompt tokens ignored, as
 * process_log.py does), latencies from the run's perf model.
 *
 * The compute term is floored at 0: for short outputs (n below ~200 tokens on LLaMA-7B/A10)
 * prefilling pad8(n) tokens is faster than one decode step of 8 sequences, so the raw formula
 * goes negative, and with tiny KV caches (total_blocks: 2, readmitted at once) so does the
 * whole loss — a preemption never saves time. Runs with long outputs are unaffected.
 */
export function artifactPreemptionLoss(request: RequestRecord, cost: PreemptionCostModel | undefined): number {
  let loss = 0;
  for (const { killed_s, output_tokens: n, readmit_s } of request.recomputes) {
    if (cost === undefined) {
      throw new Error(`request ${request.id} was preempted, but the run has no preemption_cost model to price the artifact's preemption loss`);
    }
    loss += readmit_s - killed_s + Math.max(0, cost.prefill_ms([pad8(n)]) - cost.decode_ms(8, n)) / 1e3;
  }
  return loss;
}

/** The requests.csv row of a finished request; undefined for a rejected or unfinished one. */
export function requestMetrics(r: RequestRecord, cost: PreemptionCostModel | undefined): RequestMetrics | undefined {
  if (r.finish_s === undefined || r.first_token_s === undefined || r.last_token_s === undefined) return undefined;
  const gaps = r.output_tokens - 1;
  let stall = 0;
  for (const { killed_s, end_s } of r.recomputes) stall += end_s - killed_s;
  return {
    request_id: r.id,
    priority: r.priority,
    instance_id: r.instance,
    arrival_s: r.arrival_s,
    first_scheduled_s: r.first_scheduled_s ?? r.first_token_s,
    first_token_s: r.first_token_s,
    finish_s: r.finish_s,
    prompt_tokens: r.prompt_tokens,
    output_tokens: r.output_tokens,
    request_latency_s: r.finish_s - r.arrival_s,
    prefill_latency_s: r.first_token_s - r.arrival_s,
    decode_latency_s: gaps > 0 ? (r.last_token_s - r.first_token_s) / gaps : 0,
    execution_s: r.execution_s,
    preemptions: r.preemptions,
    migrations: r.migrations,
    preemption_loss_s: artifactPreemptionLoss(r, cost),
    preemption_stall_s: stall,
  };
}
