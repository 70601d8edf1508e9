// The per-token fast path of the streamed chunks (formats.ts chunkJson) writes exactly what
// JSON.stringify writes for the chunk object, for texts that need escaping, for every kind of
// delta, with and without usage, logprobs or token ids (those take the general path).
import test from 'ava';
import type { GenerationDelta } from '../../backend/engine/types.ts';
import { chatFormat, completionFormat, type ResponseFormat } from '../../backend/api/formats.ts';
import type { Prepared } from '../../backend/api/prepare.ts';
import { TestEngine } from './test-engine.ts';

const TEXTS = ['a', ' the', '', '"quoted" \\ back', 'line\nbreak\ttab', '\u0000\u0001\u001f control', 'é ü 中文 🙂', '\ud800 lone surrogate \udc00', '\u2028\u2029', '\u0000text\u0000', '"}]},"x":'];

function prepared(opts: { include_usage: boolean; logprobs?: number; return_token_ids?: boolean; id?: string; model?: string }): Prepared {
  return {
    engine: new TestEngine(), model: opts.model ?? 'test-model', stream: true, include_usage: opts.include_usage, n: 1, return_token_ids: opts.return_token_ids ?? false,
    request: {
      request_id: opts.id ?? 'cmpl-1', prompt_token_ids: [104, 105],
      sampling: { max_tokens: 8, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: false, ...(opts.logprobs !== undefined ? { logprobs: opts.logprobs } : {}) },
    },
  };
}

const deltas = (text: string): GenerationDelta[] => [
  { request_id: 'r', token_ids: [97], text },
  { request_id: 'r', token_ids: [97, 98], text },
  { request_id: 'r', token_ids: [], text },
  { request_id: 'r', token_ids: [97], text, finish_reason: 'length' },
  { request_id: 'r', token_ids: [], text: '', finish_reason: 'stop' },
  { request_id: 'r', token_ids: [97], text, logprobs: [{ token_id: 97, logprob: -0.5, top: [{ token_id: 97, logprob: -0.5 }] }] },
];

const cases: [string, (p: Prepared) => ResponseFormat][] = [['completion', completionFormat], ['chat', chatFormat]];
for (const [name, format] of cases) {
  test(`${name}: chunkJson is JSON.stringify(chunk) byte for byte`, (t) => {
    const options = [
      { include_usage: false }, { include_usage: true }, { include_usage: true, logprobs: 1 }, { include_usage: false, return_token_ids: true },
      { include_usage: true, id: 'id "\u0000text\u0000" \\', model: 'm\u0000text\u0000"' },
    ];
    let checked = 0;
    for (const o of options) {
      for (const text of TEXTS) {
        // Two formats of the same request: the generic one is never asked for chunkJson, so its logprob offsets match.
        const fast = format(prepared(o));
        const generic = format(prepared(o));
        for (const d of deltas(text)) {
          const expected = generic.chunk(d);
          t.is(fast.chunkJson(d), expected === undefined ? undefined : JSON.stringify(expected), `${JSON.stringify(o)} ${JSON.stringify(d)}`);
          checked++;
        }
      }
    }
    t.true(checked > 100);
  });
}
