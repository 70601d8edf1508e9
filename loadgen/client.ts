// One streamed request, timed as vLLM's benchmark client times it: TTFT at the first chunk that
// carries text, one ITL per later chunk with text, E2EL at the end of the stream. Token counts
// are the server's `usage` (stream_options.include_usage).
import type { BenchPrompt } from './dataset.ts';
import { sseData } from './sse.ts';

export interface RequestOutput {
  readonly success: boolean;
  readonly error: string;
  readonly generated_text: string;
  readonly prompt_len: number;
  readonly output_tokens: number;
  /** When the request was sent, from the benchmark start. Seconds. */
  readonly start_s: number;
  /** Seconds. */
  readonly ttft_s: number;
  /** Gaps between chunks with text after the first. Seconds. */
  readonly itl_s: number[];
  /** Request sent → stream ended. Seconds. */
  readonly latency_s: number;
}

export interface Target {
  readonly url: string;
  readonly chat: boolean;
  readonly model: string;
  readonly ignore_eos: boolean;
  readonly headers: Record<string, string>;
}

function requestBody(target: Target, p: BenchPrompt): unknown {
  const common = {
    model: target.model,
    max_tokens: p.output_len,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
    ...(target.ignore_eos ? { ignore_eos: true } : {}),
  };
  return target.chat ? { ...common, messages: [{ role: 'user', content: p.prompt }] } : { ...common, prompt: p.prompt };
}

interface Chunk {
  readonly choices?: readonly { readonly text?: string; readonly delta?: { readonly content?: string | null } }[];
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | null;
  readonly error?: { readonly message?: string };
}

export async function sendRequest(target: Target, p: BenchPrompt, benchStart_ms: number): Promise<RequestOutput> {
  const start = performance.now();
  let ttft_s = 0;
  const itl_s: number[] = [];
  let last = start;
  let text = '';
  let usage: Chunk['usage'];
  let error = '';
  try {
    const res = await fetch(target.url, { method: 'POST', headers: { ...target.headers, 'content-type': 'application/json' }, body: JSON.stringify(requestBody(target, p)) });
    if (!res.ok || res.body === null) {
      error = `HTTP ${res.status}: ${await res.text()}`;
    } else {
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as Chunk;
        if (chunk.error !== undefined) error = chunk.error.message ?? JSON.stringify(chunk.error);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        const piece = target.chat ? choice?.delta?.content : choice?.text;
        if (!piece) continue;
        const now = performance.now();
        if (text === '' && ttft_s === 0) ttft_s = (now - start) / 1e3;
        else itl_s.push((now - last) / 1e3);
        last = now;
        text += piece;
      }
      if (error === '' && usage === undefined) error = 'the stream ended without a usage chunk';
    }
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  const end = performance.now();
  return {
    success: error === '',
    error,
    generated_text: text,
    prompt_len: usage?.prompt_tokens ?? 0,
    output_tokens: usage?.completion_tokens ?? 0,
    start_s: (start - benchStart_ms) / 1e3,
    ttft_s,
    itl_s,
    latency_s: (end - start) / 1e3,
  };
}
