// Fields a request carries that the server does not know are dropped (vLLM's behaviour) but
// reported: a misspelt `max_token` must not pass unnoticed.
import test from 'ava';
import { warnIgnoredFieldsOnce } from '../../cli/ignored-fields-warning.ts';
import { postJson, startServer } from './helpers.ts';

test('unknown request fields reach onIgnoredFields with the endpoint; known and refused-unless-neutral ones do not', async (t) => {
  const calls: [string, readonly string[]][] = [];
  const { url } = await startServer(t, {}, { onIgnoredFields: (endpoint, fields) => calls.push([endpoint, fields]) });
  const chat = await postJson(`${url}/v1/chat/completions`, { model: 'test-model', messages: [{ role: 'user', content: 'hi' }], max_token: 5, temprature: 0.5, top_p: 1 });
  t.is(chat.status, 200);
  // presence_penalty is known (refused unless neutral); its neutral value is no ignored field.
  const completion = await postJson(`${url}/v1/completions`, { model: 'test-model', prompt: 'hi', max_tokens: 2, presence_penalty: 0 });
  t.is(completion.status, 200);
  t.deepEqual(calls, [['/v1/chat/completions', ['max_token', 'temprature']]]);
});

test('fleetlab serve says each ignored field name once', (t) => {
  const lines: string[] = [];
  const warn = warnIgnoredFieldsOnce((line) => lines.push(line));
  warn('/v1/completions', ['max_token']);
  warn('/v1/completions', ['max_token']);
  warn('/v1/chat/completions', ['max_token', 'temprature']);
  t.deepEqual(lines, [
    'fleetlab serve: /v1/completions: ignored request field(s) max_token: not a field this server knows (docs/api.md); said once per name',
    'fleetlab serve: /v1/chat/completions: ignored request field(s) temprature: not a field this server knows (docs/api.md); said once per name',
  ]);
});
