// TypeScript shapes of instance.proto's messages (proto-loader with keepCase, longs as numbers,
// defaults filled) and the conversions to and from the engine's own types.
import type { StepTiming } from '../engine/llm-engine.ts';
import type { GenerationRequest, SamplingParams } from '../engine/types.ts';
import { processorFields } from '../engine/sampling-params.ts';

export interface SamplingMessage {
  max_tokens: number;
  temperature: number;
  top_p: number;
  top_k: number;
  has_seed: boolean;
  seed: number;
  stop: string[];
  stop_token_ids: number[];
  ignore_eos: boolean;
  logprobs: number;
  presence_penalty: number;
  frequency_penalty: number;
  repetition_penalty: number;
  min_tokens: number;
  min_p: number;
  logit_bias: { token_id: number; bias: number }[];
}

export interface GenerateMessage {
  request_id: string;
  prompt_token_ids: number[];
  sampling: SamplingMessage;
  priority: string;
  resume_output_token_ids: number[];
}

export interface MigrateOutMessage {
  dst_address: string;
  dst_kv_host: string;
  dst_kv_port: number;
  selector_json: string;
  draining: boolean;
  max_stages: number;
  last_stage_max_blocks: number;
  /** How the last stage runs (instance.proto); absent or '' = 'suspend'. */
  last_stage_mode?: LastStageMode | '';
}

/** `suspend`: Llumnix's last stage (the request waits); `snapshot`: it keeps decoding, the destination catches up. */
export type LastStageMode = 'suspend' | 'snapshot';

export type MigrationOutcome =
  | 'committed'
  | 'no-request'
  | 'aborted-dst-no-memory'
  | 'aborted-finished'
  | 'aborted-preempted'
  | 'aborted-max-stages'
  | 'aborted-dst-failed';

export interface MigrateOutReply {
  outcome: MigrationOutcome;
  request_id: string;
  stages: number;
  blocks: number;
  downtime_ms: number;
  total_ms: number;
  detail: string;
  /** Where the last stage's time went (committed migrations; instance.proto LastStageTimes). */
  last_stage?: LastStageTimes | null;
  /** Snapshot last stage: output tokens the source produced after its snapshot (decoded on both sides). */
  catch_up_tokens?: number;
}

export interface LastStageTimes {
  suspend_wait_ms: number;
  prealloc_ms: number;
  connect_ms: number;
  copy_ms: number;
  commit_ms: number;
  blocks: number;
  committed_unix_ms: number;
  prealloc_ahead_ms: number;
  connect_ahead_ms: number;
  connection_reused: boolean;
  suspended_unix_ms: number;
  copy_ahead_ms: number;
  blocks_ahead: number;
}

export type TokenMigrationOutcome = 'committed' | 'aborted-finished' | 'aborted-not-decoding' | 'aborted-dst-failed';

export interface MigrateTokensOutReply {
  outcome: TokenMigrationOutcome;
  /** Prompt + output tokens handed over. */
  tokens: number;
  downtime_ms: number;
  detail: string;
}

export interface CurrentTokensReply {
  running: boolean;
  token_ids: number[];
  prompt_tokens: number;
}

export interface PrefillTokensReply {
  tokens: number;
  cached_tokens: number;
  ms: number;
}

export interface ReportMessage {
  total_blocks: number;
  watermark_blocks: number;
  free_blocks: number;
  running: number;
  waiting: number;
  killed: number;
  head_waiting_blocks: number;
  all_waiting_blocks: number;
  high_priority: number;
  last_running_blocks: number;
  steps: number;
  preemptions: number;
  kv_cache_usage: number;
  migrations_in_flight: number;
  /** The step this report follows; null on the report sent at subscription. */
  step?: StepTiming | null;
}

export function toGenerateMessage(r: GenerationRequest): GenerateMessage {
  const s = r.sampling;
  return {
    request_id: r.request_id,
    prompt_token_ids: [...r.prompt_token_ids],
    sampling: {
      max_tokens: s.max_tokens, temperature: s.temperature, top_p: s.top_p, top_k: s.top_k,
      has_seed: s.seed !== undefined, seed: s.seed ?? 0, stop: [...s.stop], stop_token_ids: [...s.stop_token_ids],
      ignore_eos: s.ignore_eos, logprobs: s.logprobs ?? -1,
      presence_penalty: s.presence_penalty ?? 0, frequency_penalty: s.frequency_penalty ?? 0, repetition_penalty: s.repetition_penalty ?? 1,
      min_tokens: s.min_tokens ?? 0, min_p: s.min_p ?? 0, logit_bias: (s.logit_bias ?? []).map(([token_id, bias]) => ({ token_id, bias })),
    },
    priority: r.priority ?? 'normal',
    resume_output_token_ids: [...(r.resume_output_token_ids ?? [])],
  };
}

export function fromGenerateMessage(m: GenerateMessage): GenerationRequest {
  const s = m.sampling;
  const sampling: SamplingParams = {
    max_tokens: s.max_tokens, temperature: s.temperature, top_p: s.top_p, top_k: s.top_k,
    ...(s.has_seed ? { seed: s.seed } : {}),
    stop: s.stop, stop_token_ids: s.stop_token_ids, ignore_eos: s.ignore_eos,
    ...(s.logprobs >= 0 ? { logprobs: s.logprobs } : {}),
    ...processorFields({
      presence_penalty: s.presence_penalty, frequency_penalty: s.frequency_penalty,
      // proto3's default 0 for a message that never set it means "off" (1).
      repetition_penalty: s.repetition_penalty === 0 ? 1 : s.repetition_penalty,
      min_tokens: s.min_tokens, min_p: s.min_p,
      logit_bias: Object.fromEntries(s.logit_bias.map((b) => [String(b.token_id), b.bias])),
    }),
  };
  return {
    request_id: m.request_id, prompt_token_ids: m.prompt_token_ids, sampling, priority: m.priority === 'high' ? 'high' : 'normal',
    ...(m.resume_output_token_ids.length > 0 ? { resume_output_token_ids: m.resume_output_token_ids } : {}),
  };
}
