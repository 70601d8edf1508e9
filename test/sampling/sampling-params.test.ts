import test from 'ava';
import { ConfigError } from '../../config/index.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';

test('defaults follow vLLM: 16 tokens, temperature 1, top_p 1, top_k off, no stops', (t) => {
  t.deepEqual(parseSamplingParams({}), { max_tokens: 16, temperature: 1, top_p: 1, top_k: 0, stop: [], stop_token_ids: [], ignore_eos: false });
  t.deepEqual(parseSamplingParams(undefined), parseSamplingParams({}));
});

test('generation_config defaults fill what the request leaves out, never what it sets', (t) => {
  const gen = { temperature: 0.7, top_p: 0.8, top_k: 20, max_new_tokens: 512 };
  t.like(parseSamplingParams({}, gen), { temperature: 0.7, top_p: 0.8, top_k: 20, max_tokens: 512 });
  t.like(parseSamplingParams({ temperature: 0, top_p: 1, top_k: -1, max_tokens: 3 }, gen), { temperature: 0, top_p: 1, top_k: 0, max_tokens: 3 });
  t.like(parseSamplingParams({ temperature: null }, gen), { temperature: 0.7 });
});

test('OpenAI/vLLM spellings: stop string or list, chat logprobs, max_completion_tokens, seed', (t) => {
  t.deepEqual(parseSamplingParams({ stop: '\n' }).stop, ['\n']);
  t.deepEqual(parseSamplingParams({ stop: ['a', 'b', 'a'] }).stop, ['a', 'b']);
  t.is(parseSamplingParams({ logprobs: 5 }).logprobs, 5);
  t.is(parseSamplingParams({ logprobs: 0 }).logprobs, 0);
  t.is(parseSamplingParams({ logprobs: true, top_logprobs: 3 }).logprobs, 3);
  t.is(parseSamplingParams({ logprobs: true }).logprobs, 0);
  t.is(parseSamplingParams({ logprobs: false }).logprobs, undefined);
  t.is(parseSamplingParams({ max_completion_tokens: 9 }).max_tokens, 9);
  t.is(parseSamplingParams({ seed: 42 }).seed, 42);
  t.like(parseSamplingParams({ stop_token_ids: [7, 7, 9], ignore_eos: true, model: 'x', prompt: 'y', stream: true }), { stop_token_ids: [7, 9], ignore_eos: true });
  t.is(parseSamplingParams({ n: 1, presence_penalty: 0, repetition_penalty: 1 }).max_tokens, 16);
});

const bad: Array<[Record<string, unknown>, RegExp]> = [
  [{ temperature: -0.5 }, /Expected temperature >= 0, received -0\.5/],
  [{ top_p: 0 }, /Expected top_p > 0, received 0/],
  [{ top_p: 1.5 }, /Expected top_p <= 1, received 1\.5/],
  [{ max_tokens: 0 }, /Expected max_tokens >= 1, received 0/],
  [{ max_tokens: 2.5 }, /max_tokens to be an integer, received 2\.5/],
  [{ top_k: -2 }, /Expected top_k >= -1, received -2/],
  [{ logprobs: 21 }, /Expected logprobs/],
  [{ stop: '' }, /stop/],
  [{ stop_token_ids: [-1] }, /stop_token_ids\[0\] >= 0/],
  [{ n: 2 }, /Expected n to be one of 1, received 2/],
  [{ presence_penalty: 2.5 }, /presence_penalty <= 2, received 2\.5/],
  [{ min_tokens: 17 }, /min_tokens to be at most max_tokens \(16\), received 17/],
  [{ temperature: 'hot' }, /temperature to be a number, received "hot"/],
  [{ max_tokens: 5, max_completion_tokens: 6 }, /max_completion_tokens to be equal to max_tokens \(5\)/],
  [{ top_logprobs: 2 }, /top_logprobs to be used with logprobs: true/],
];
for (const [input, message] of bad) {
  test(`bad sampling option ${JSON.stringify(input)} → ConfigError`, (t) => {
    const err = t.throws(() => parseSamplingParams(input, {}, 'request body'), { instanceOf: ConfigError });
    t.regex(err.message, message);
    t.regex(err.message, /^request body: /);
  });
}
