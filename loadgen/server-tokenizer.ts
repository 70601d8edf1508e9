/** The server's /tokenize and /detokenize (vLLM's routes), for prompts of an exact token length. */
export interface ServerTokenizer {
  encode(text: string): Promise<number[]>;
  decode(ids: readonly number[]): Promise<string>;
}

/** Undefined when the server has no /tokenize (an OpenAI-compatible server need not). */
export async function probeServerTokenizer(baseUrl: string, model: string, headers: Record<string, string>): Promise<ServerTokenizer | undefined> {
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  const tokenizer: ServerTokenizer = {
    encode: async (text) => ((await post('/tokenize', { model, prompt: text, add_special_tokens: false })) as { tokens: number[] }).tokens,
    decode: async (ids) => ((await post('/detokenize', { model, tokens: ids })) as { prompt: string }).prompt,
  };
  try {
    await tokenizer.encode('probe');
    return tokenizer;
  } catch (error) {
    // No answer at all is not "no /tokenize": every request would fail the same way, and the
    // run would write a results folder of failures; say so before sending anything (vLLM's
    // bench serve also stops at its first test request).
    const reason = unreachable(error);
    if (reason !== undefined) {
      throw new Error(`cannot reach the server at ${baseUrl} (${reason}); start it first (e.g. \`fleetlab serve\`) or give --base-url, or --host and --port`, { cause: error });
    }
    return undefined;
  }
}

/** The network error's code when `fetch` got no HTTP answer (refused, unknown host, reset), else undefined. */
function unreachable(error: unknown): string | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : error.message;
}
