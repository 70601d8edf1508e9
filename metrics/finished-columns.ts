import type { RequestMetrics } from './request-metrics.ts';

/**
 * A growable column of numbers in a Float64Array: 8 bytes a value, no object per value, and a
 * numeric sort without a comparator (what exact percentiles need).
 */
export class NumberColumn {
  #values = new Float64Array(1024);
  #length = 0;

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** The values pushed, in order (a view: valid until the next push). */
  values(): Float64Array {
    return this.#values.subarray(0, this.#length);
  }
}

/** The four per-request latency distributions of summary.json, for one set of requests. */
export class LatencyColumns {
  readonly request_latency_s = new NumberColumn();
  readonly prefill_latency_s = new NumberColumn();
  readonly decode_latency_s = new NumberColumn();
  readonly execution_s = new NumberColumn();

  push(m: RequestMetrics): void {
    this.request_latency_s.push(m.request_latency_s);
    this.prefill_latency_s.push(m.prefill_latency_s);
    this.decode_latency_s.push(m.decode_latency_s);
    this.execution_s.push(m.execution_s);
  }

  get count(): number {
    return this.request_latency_s.length;
  }
}

/**
 * Every finished request folded into what summary.json needs, in request order: exact
 * per-request values in typed columns (percentiles stay exact) and running sums, so a run of a
 * million requests summarises without a million `RequestMetrics` objects alive at once. Each
 * value is computed by the same expression, and each sum added in the same order, as the
 * per-row code it replaces, so summaries are byte-identical.
 */
export class FinishedColumns {
  readonly all = new LatencyColumns();
  readonly normal = new LatencyColumns();
  readonly high = new LatencyColumns();
  /** vLLM's TTFT, TPOT (requests with more than one token), E2EL, in milliseconds. */
  readonly ttft_ms = new NumberColumn();
  readonly tpot_ms = new NumberColumn();
  readonly e2el_ms = new NumberColumn();
  /** TPOT of every finished request, 0 for a one-token answer (vLLM's goodput rule). */
  readonly goodput_tpot_ms = new NumberColumn();
  preemption_loss_s = 0;
  preemption_stall_s = 0;
  preemptions = 0;
  preempted_requests = 0;
  input_tokens = 0;
  output_tokens = 0;

  push(m: RequestMetrics): void {
    this.all.push(m);
    if (m.priority === 'normal') this.normal.push(m);
    else if (m.priority === 'high') this.high.push(m);
    this.ttft_ms.push(m.prefill_latency_s * 1e3);
    if (m.output_tokens > 1) this.tpot_ms.push(m.decode_latency_s * 1e3);
    this.goodput_tpot_ms.push(m.output_tokens > 1 ? m.decode_latency_s * 1e3 : 0);
    this.e2el_ms.push(m.request_latency_s * 1e3);
    this.preemption_loss_s += m.preemption_loss_s;
    this.preemption_stall_s += m.preemption_stall_s;
    this.preemptions += m.preemptions;
    if (m.preemptions > 0) this.preempted_requests++;
    this.input_tokens += m.prompt_tokens;
    this.output_tokens += m.output_tokens;
  }

  /** Finished requests folded in. */
  get count(): number {
    return this.all.count;
  }
}
