// An existing OpenAI-compatible server (a real vLLM, or another fleetlab server) as a member of
// the fleet: the manager dispatches requests to it over HTTP (`/v1/completions` with the
// prompt's token ids, streamed) and reads its load from its Prometheus `/metrics`, polled every
// `poll_interval_s` (Llumnix's manager polls its instances every 50 ms). It takes no part in
// live migration: it has no KV transfer endpoint the manager could drive.
//
// What `/metrics` does not say is assumed, and named here: total KV blocks come from vLLM's
// `vllm:cache_config_info{num_gpu_blocks=…}` or the config's `kv_blocks`; the watermark is
// vLLM's default 1 % of them; free blocks = total × (1 − KV usage); the waiting queue's block
// demand (head-of-line / all waiting) is unknown and reported as 0.
import { z } from 'zod';
import { sseData } from '../../loadgen/sse.ts';
import type { FinishReason, GenerationDelta, GenerationRequest, TextTokenizer } from '../engine/types.ts';
import type { MigrateOutReply, ReportMessage } from '../rpc/messages.ts';
import { parsePrometheusText, sampleValue, type PromSample } from './prometheus-text.ts';

export const ExternalInstanceSpec = z.strictObject({
  /** The server's root, e.g. http://127.0.0.1:8001 (its API is under /v1). */
  url: z.url({ protocol: /^https?$/ }),
  /** The model's name on that server; absent: the only model it serves. */
  model: z.string().min(1).optional(),
  /** Sent as `Authorization: Bearer` (servers started with --api-key). */
  api_key: z.string().min(1).optional(),
  /** Seconds between two reads of its /metrics. */
  poll_interval_s: z.number().positive().max(60).default(0.05),
  /** Reads of /metrics that may fail in a row before it leaves the fleet. */
  missed_polls: z.number().int().min(1).default(3),
  /** Its total KV blocks, when its /metrics has no vllm:cache_config_info with num_gpu_blocks. */
  kv_blocks: z.number().int().min(1).optional(),
});
export type ExternalInstanceSpec = z.input<typeof ExternalInstanceSpec>;

export class ExternalInstanceError extends Error {
  override readonly name = 'ExternalInstanceError';
}

const RUNNING = ['vllm:num_requests_running'];
const WAITING = ['vllm:num_requests_waiting'];
/** vLLM ≥ 0.10 names it kv_cache_usage_perc; older versions gpu_cache_usage_perc. Both are fractions (0–1). */
const KV_USAGE = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'];
const FINISH: readonly FinishReason[] = ['stop', 'length', 'abort'];

interface CompletionChunk {
  readonly choices?: readonly { readonly text?: string; readonly token_ids?: readonly number[] | null; readonly finish_reason?: string | null }[];
  readonly error?: { readonly message?: string };
}

/** The member of the fleet standing for one external server (its process- and client-side at once). */
export class ExternalInstance {
  readonly pid = -1;
  readonly host: string;
  readonly port: number;
  /** No KV transfer endpoint: never a migration destination. */
  readonly kv_port = 0;
  readonly exited: Promise<number | string>;
  readonly #resolveExited: (why: string) => void;
  readonly #spec: z.output<typeof ExternalInstanceSpec>;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    spec: z.output<typeof ExternalInstanceSpec>,
    readonly model: string,
    readonly max_model_len: number,
    readonly total_blocks: number,
    private readonly tokenizer: TextTokenizer,
    private first: ReportMessage,
  ) {
    this.#spec = spec;
    const url = new URL(spec.url);
    this.#base = spec.url.replace(/\/+$/, '');
    this.host = url.hostname;
    this.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    this.#headers = spec.api_key === undefined ? {} : { authorization: `Bearer ${spec.api_key}` };
    let resolve!: (why: string) => void;
    this.exited = new Promise((r) => (resolve = r));
    this.#resolveExited = resolve;
  }

  /** Checks that the server serves the model and that its /metrics reads; `label` names the config entry in errors. */
  static async connect(input: ExternalInstanceSpec, tokenizer: TextTokenizer, label = 'external'): Promise<ExternalInstance> {
    const parsed = ExternalInstanceSpec.safeParse(input);
    if (!parsed.success) throw new ExternalInstanceError(`${label}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')}`);
    const spec = parsed.data;
    const base = spec.url.replace(/\/+$/, '');
    const headers = spec.api_key === undefined ? {} : { authorization: `Bearer ${spec.api_key}` };
    const listed = await getJson<{ data?: { id: string; max_model_len?: number }[] }>(`${base}/v1/models`, headers, `${label}.url`);
    const models = listed.data ?? [];
    const entry = spec.model === undefined ? (models.length === 1 ? models[0] : undefined) : models.find((m) => m.id === spec.model);
    if (entry === undefined) {
      const why = spec.model === undefined ? `serves ${models.length} models (${models.map((m) => m.id).join(', ')}); name one` : `does not serve "${spec.model}" (it serves ${models.map((m) => m.id).join(', ') || 'none'})`;
      throw new ExternalInstanceError(`${label}.model: ${base} ${why}`);
    }
    if (typeof entry.max_model_len !== 'number') throw new ExternalInstanceError(`${label}: ${base}/v1/models gives no max_model_len for "${entry.id}" (vLLM and fleetlab do)`);
    const samples = parsePrometheusText(await getText(`${base}/metrics`, headers, `${label}.url`));
    const fromMetrics = samples.find((s) => s.name === 'vllm:cache_config_info')?.labels['num_gpu_blocks'];
    const total = fromMetrics !== undefined && Number(fromMetrics) > 0 ? Number(fromMetrics) : spec.kv_blocks;
    if (total === undefined) throw new ExternalInstanceError(`${label}.kv_blocks: ${base}/metrics has no vllm:cache_config_info{num_gpu_blocks}; set kv_blocks to the server's KV-cache blocks`);
    const first = reportFrom(samples, entry.id, total, `${label}: ${base}/metrics`);
    return new ExternalInstance(spec, entry.id, entry.max_model_len, total, tokenizer, first);
  }

  /** Polls /metrics; `onEnd` once `missed_polls` reads in a row failed (the server left the fleet). */
  subscribeReports(onReport: (r: ReportMessage) => void, onEnd: (err?: Error) => void): void {
    onReport(this.first);
    let missed = 0;
    const poll = async (): Promise<void> => {
      if (this.#closed) return;
      try {
        const text = await getText(`${this.#base}/metrics`, this.#headers, 'url', AbortSignal.timeout(Math.max(1000, this.#spec.poll_interval_s * 2e3)));
        if (this.#closed) return;
        onReport(reportFrom(parsePrometheusText(text), this.model, this.total_blocks, `${this.#base}/metrics`));
        missed = 0;
      } catch (err) {
        if (++missed >= this.#spec.missed_polls) {
          this.#closed = true;
          this.#resolveExited(`unreachable: ${err instanceof Error ? err.message : String(err)}`);
          onEnd(err instanceof Error ? err : new Error(String(err)));
          return;
        }
      }
      this.#timer = setTimeout(() => void poll(), this.#spec.poll_interval_s * 1e3);
    };
    this.#timer = setTimeout(() => void poll(), this.#spec.poll_interval_s * 1e3);
  }

  /**
   * Streams one request from the server: the prompt as token ids, the engine's sampling
   * fields under vLLM's names, and `return_token_ids` (vLLM ≥ 0.10.2, fleetlab) so the output's
   * token ids are exact; a server that does not return them gets its text re-encoded with the
   * fleet's tokenizer. A request resumed here after a failure sends its produced tokens as part
   * of the prompt (exact for greedy decoding; a seeded stream restarts).
   */
  async *generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const s = request.sampling;
    if (s.logprobs !== undefined) throw new ExternalInstanceError(`external server ${this.#base}: requests with logprobs are not forwarded to external servers`);
    const resumed = request.resume_output_token_ids ?? [];
    const body = {
      model: this.model,
      prompt: [...request.prompt_token_ids, ...resumed],
      max_tokens: s.max_tokens - resumed.length,
      temperature: s.temperature, top_p: s.top_p, top_k: s.top_k,
      ...(s.seed === undefined ? {} : { seed: s.seed }),
      stop: [...s.stop], stop_token_ids: [...s.stop_token_ids], ignore_eos: s.ignore_eos,
      // vLLM takes the same logits processors by the same names; resumed tokens are part of the
      // prompt there, so its penalties count them as prompt tokens (see docs/api.md).
      ...externalProcessorFields(s, resumed.length),
      stream: true, stream_options: { include_usage: true }, return_token_ids: true,
    };
    const headers = { ...this.#headers, 'content-type': 'application/json', ...(request.priority === 'high' ? { 'x-priority': 'high' } : {}) };
    let res: Response;
    try {
      res = await fetch(`${this.#base}/v1/completions`, { method: 'POST', headers, body: JSON.stringify(body), ...(signal === undefined ? {} : { signal }) });
    } catch (err) {
      if (signal?.aborted === true) return yield { request_id: request.request_id, token_ids: [], text: '', finish_reason: 'abort' };
      throw err;
    }
    if (!res.ok || res.body === null) throw new ExternalInstanceError(`external server ${this.#base}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    let finished = false;
    try {
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as CompletionChunk;
        if (chunk.error !== undefined) throw new ExternalInstanceError(`external server ${this.#base}: ${chunk.error.message ?? JSON.stringify(chunk.error)}`);
        const choice = chunk.choices?.[0];
        if (choice === undefined) continue; // the usage chunk
        const text = choice.text ?? '';
        const finish = FINISH.find((f) => f === choice.finish_reason);
        const token_ids = choice.token_ids ?? (text === '' ? [] : this.tokenizer.encode(text, { add_special_tokens: false }));
        finished ||= finish !== undefined;
        yield { request_id: request.request_id, token_ids, text, ...(finish === undefined ? {} : { finish_reason: finish }) };
      }
    } catch (err) {
      if (signal?.aborted === true) return yield { request_id: request.request_id, token_ids: [], text: '', finish_reason: 'abort' };
      throw err;
    }
    // A cut connection may end the body quietly: an error, so the manager resumes the request elsewhere.
    if (!finished) throw new ExternalInstanceError(`external server ${this.#base} ended request ${request.request_id} without a finish reason`);
  }

  attach(request_id: string): AsyncIterable<GenerationDelta> {
    throw new ExternalInstanceError(`external server ${this.#base} takes no migrated request (${request_id})`);
  }

  migrateOut(): Promise<MigrateOutReply> {
    return Promise.reject(new ExternalInstanceError(`external server ${this.#base} takes no part in migration`));
  }

  /** Stops polling (the server itself keeps running: it is not the manager's). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async stop(): Promise<void> {
    this.close();
    this.#resolveExited('detached');
  }
}

/** A step report from a /metrics scrape (the model's samples; see the assumptions at the top). */
export function reportFrom(samples: readonly PromSample[], model: string, total_blocks: number, where: string): ReportMessage {
  const match = { model_name: model };
  const running = sampleValue(samples, RUNNING, match);
  const waiting = sampleValue(samples, WAITING, match);
  const usage = sampleValue(samples, KV_USAGE, match);
  const missing = [running === undefined ? RUNNING[0] : undefined, waiting === undefined ? WAITING[0] : undefined, usage === undefined ? KV_USAGE.join(' or ') : undefined].filter((x) => x !== undefined);
  if (missing.length > 0) throw new ExternalInstanceError(`${where} has no ${missing.join(', ')} for model_name="${model}"`);
  const used = Math.min(1, Math.max(0, usage!));
  return {
    total_blocks, watermark_blocks: Math.floor(0.01 * total_blocks), free_blocks: Math.round(total_blocks * (1 - used)),
    running: running!, waiting: waiting!, killed: 0, head_waiting_blocks: 0, all_waiting_blocks: 0, high_priority: 0, last_running_blocks: 0,
    steps: 0, preemptions: 0, kv_cache_usage: used, migrations_in_flight: 0,
  };
}

async function getText(url: string, headers: Record<string, string>, field: string, signal?: AbortSignal): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers, ...(signal === undefined ? {} : { signal }) });
  } catch (err) {
    throw new ExternalInstanceError(`${field}: cannot reach ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  }
  if (!res.ok) throw new ExternalInstanceError(`${field}: GET ${url} answered HTTP ${res.status}`);
  return res.text();
}

async function getJson<T>(url: string, headers: Record<string, string>, field: string): Promise<T> {
  const text = await getText(url, headers, field);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ExternalInstanceError(`${field}: GET ${url} did not answer JSON: ${text.slice(0, 120)}`);
  }
}

/** The logits processors' fields of a request forwarded to a vLLM server, under vLLM's names. */
function externalProcessorFields(s: GenerationRequest['sampling'], resumed: number): Record<string, unknown> {
  return {
    ...(s.presence_penalty !== undefined ? { presence_penalty: s.presence_penalty } : {}),
    ...(s.frequency_penalty !== undefined ? { frequency_penalty: s.frequency_penalty } : {}),
    ...(s.repetition_penalty !== undefined ? { repetition_penalty: s.repetition_penalty } : {}),
    ...(s.min_tokens !== undefined && s.min_tokens > resumed ? { min_tokens: s.min_tokens - resumed } : {}),
    ...(s.min_p !== undefined ? { min_p: s.min_p } : {}),
    ...(s.logit_bias !== undefined ? { logit_bias: Object.fromEntries(s.logit_bias.map(([id, bias]) => [String(id), bias])) } : {}),
  };
}
