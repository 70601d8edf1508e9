import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FinishReason } from '../engine/types.ts';
import { METRICS } from './metric-names.ts';
import type { EngineRouter } from './router.ts';

type Labels<K extends keyof typeof METRICS> = (typeof METRICS)[K]['labels'][number];

/**
 * The API's Prometheus registry (its own, never prom-client's global one, so two servers in one
 * process do not share counters). Request metrics are fed by the handlers; the load gauges are
 * read from the router at scrape time; migration metrics are fed by the fleet manager.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #histograms;
  readonly #counters;

  constructor(router: EngineRouter) {
    const histogram = <K extends 'ttft' | 'itl' | 'tpot' | 'e2e' | 'queue' | 'migration_downtime'>(key: K) =>
      new Histogram<Labels<K>>({
        name: METRICS[key].name,
        help: METRICS[key].help,
        labelNames: METRICS[key].labels,
        buckets: [...METRICS[key].buckets],
        registers: [this.registry],
      });
    const counter = <K extends 'prompt_tokens' | 'generation_tokens' | 'request_success' | 'migrations'>(key: K) =>
      new Counter<Labels<K>>({ name: METRICS[key].name, help: METRICS[key].help, labelNames: METRICS[key].labels, registers: [this.registry] });
    this.#histograms = {
      ttft: histogram('ttft'),
      itl: histogram('itl'),
      tpot: histogram('tpot'),
      e2e: histogram('e2e'),
      queue: histogram('queue'),
      migration_downtime: histogram('migration_downtime'),
    };
    this.#counters = {
      prompt_tokens: counter('prompt_tokens'),
      generation_tokens: counter('generation_tokens'),
      request_success: counter('request_success'),
      migrations: counter('migrations'),
    };
    for (const key of ['running', 'waiting', 'kv_usage'] as const) {
      const field = { running: 'num_requests_running', waiting: 'num_requests_waiting', kv_usage: 'kv_cache_usage_perc' } as const;
      new Gauge<'model_name'>({
        name: METRICS[key].name,
        help: METRICS[key].help,
        labelNames: METRICS[key].labels,
        registers: [this.registry],
        // Read at scrape time so the gauge is never stale; models whose engines report no stats get no sample.
        collect() {
          this.reset();
          for (const { name } of router.models()) {
            const stats = router.stats?.(name);
            if (stats !== undefined) this.set({ model_name: name }, stats[field[key]]);
          }
        },
      });
    }
  }

  /** Every series starts at zero for every served model, so a scrape before traffic lists them. */
  initModels(models: readonly string[]): void {
    for (const model_name of models) {
      this.#counters.prompt_tokens.inc({ model_name }, 0);
      this.#counters.generation_tokens.inc({ model_name }, 0);
      for (const finished_reason of ['stop', 'length', 'abort'] satisfies FinishReason[]) {
        this.#counters.request_success.inc({ model_name, finished_reason }, 0);
      }
    }
  }

  admitted(model_name: string, prompt_tokens: number): void {
    this.#counters.prompt_tokens.inc({ model_name }, prompt_tokens);
  }

  /** One engine delta with `tokens` new tokens; `gap_s` since the previous one (undefined for the first). */
  tokens(model_name: string, tokens: number, gap_s: number | undefined): void {
    if (tokens > 0) this.#counters.generation_tokens.inc({ model_name }, tokens);
    if (gap_s !== undefined) this.#histograms.itl.observe({ model_name }, gap_s);
  }

  firstToken(model_name: string, ttft_s: number): void {
    this.#histograms.ttft.observe({ model_name }, ttft_s);
  }

  queued(model_name: string, queue_time_s: number): void {
    this.#histograms.queue.observe({ model_name }, queue_time_s);
  }

  finished(model_name: string, reason: FinishReason, e2e_s: number, tpot_s: number | undefined): void {
    this.#counters.request_success.inc({ model_name, finished_reason: reason });
    this.#histograms.e2e.observe({ model_name }, e2e_s);
    if (tpot_s !== undefined) this.#histograms.tpot.observe({ model_name }, tpot_s);
  }

  /** For the fleet manager: one migration's outcome (`committed` or an abort reason) and, when committed, its downtime. */
  migration(model_name: string, outcome: string, downtime_s?: number): void {
    this.#counters.migrations.inc({ model_name, outcome });
    if (downtime_s !== undefined) this.#histograms.migration_downtime.observe({ model_name }, downtime_s);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
