// Every Prometheus metric the API exports, in one table. vLLM's names (label model_name) so
// dashboards and routers built for vLLM read fleetlab unchanged; fleetlab's own under
// `fleetlab:`. Buckets are in seconds.

const LATENCY_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640];
const TOKEN_GAP_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 20, 80];
const REQUEST_BUCKETS_S = [0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const DOWNTIME_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const METRICS = {
  ttft: {
    kind: 'histogram',
    name: 'vllm:time_to_first_token_seconds',
    help: 'Time from arrival at the API to the first generated token.',
    labels: ['model_name'],
    buckets: LATENCY_BUCKETS_S,
  },
  itl: {
    kind: 'histogram',
    name: 'vllm:inter_token_latency_seconds',
    help: 'Gap between consecutive outputs of a request (one observation per engine delta after the first).',
    labels: ['model_name'],
    buckets: TOKEN_GAP_BUCKETS_S,
  },
  tpot: {
    kind: 'histogram',
    name: 'vllm:time_per_output_token_seconds',
    help: 'Per request: (last token − first token) / (output tokens − 1); requests with one token are not observed.',
    labels: ['model_name'],
    buckets: TOKEN_GAP_BUCKETS_S,
  },
  e2e: {
    kind: 'histogram',
    name: 'vllm:e2e_request_latency_seconds',
    help: 'Time from arrival at the API to the last output (finished requests, aborts included).',
    labels: ['model_name'],
    buckets: REQUEST_BUCKETS_S,
  },
  queue: {
    kind: 'histogram',
    name: 'vllm:request_queue_time_seconds',
    help: 'Time a request waited in the engine before its first scheduling (engines that report it).',
    labels: ['model_name'],
    buckets: REQUEST_BUCKETS_S,
  },
  running: {
    kind: 'gauge',
    name: 'vllm:num_requests_running',
    help: 'Requests in the running batch, summed over the model’s engines.',
    labels: ['model_name'],
  },
  waiting: {
    kind: 'gauge',
    name: 'vllm:num_requests_waiting',
    help: 'Requests waiting to be scheduled, summed over the model’s engines.',
    labels: ['model_name'],
  },
  kv_usage: {
    kind: 'gauge',
    name: 'vllm:kv_cache_usage_perc',
    help: 'Fraction of KV-cache blocks in use (0–1), averaged over the model’s engines.',
    labels: ['model_name'],
  },
  prompt_tokens: {
    kind: 'counter',
    name: 'vllm:prompt_tokens_total',
    help: 'Prompt tokens of admitted requests.',
    labels: ['model_name'],
  },
  generation_tokens: {
    kind: 'counter',
    name: 'vllm:generation_tokens_total',
    help: 'Generated tokens, counted as they are produced.',
    labels: ['model_name'],
  },
  request_success: {
    kind: 'counter',
    name: 'vllm:request_success_total',
    help: 'Finished requests by finish reason (stop, length, abort).',
    labels: ['model_name', 'finished_reason'],
  },
  migrations: {
    kind: 'counter',
    name: 'fleetlab:migrations_total',
    help: 'Live KV-cache migrations by outcome (committed or an abort reason).',
    labels: ['model_name', 'outcome'],
  },
  migration_downtime: {
    kind: 'histogram',
    name: 'fleetlab:migration_downtime_seconds',
    help: 'Time a migrated request was suspended (last stage + commit) in committed migrations.',
    labels: ['model_name'],
    buckets: DOWNTIME_BUCKETS_S,
  },
} as const;

export type MetricKey = keyof typeof METRICS;
