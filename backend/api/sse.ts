import type { ServerResponse } from 'node:http';

/**
 * Server-sent events over a raw response, as OpenAI streams: `data: <json>\n\n` per chunk and
 * `data: [DONE]\n\n` last. Writes wait for 'drain' so a slow client slows its own request
 * rather than buffering it in memory.
 */
export class SseWriter {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }

  get open(): boolean {
    return !this.#res.destroyed && !this.#res.writableEnded;
  }

  async send(chunk: unknown): Promise<void> {
    await this.#write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  async done(): Promise<void> {
    await this.#write('data: [DONE]\n\n');
    this.#res.end();
  }

  async #write(text: string): Promise<void> {
    if (!this.open) return;
    if (this.#res.write(text)) return;
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        this.#res.off('drain', settle);
        this.#res.off('close', settle);
        resolve();
      };
      this.#res.on('drain', settle);
      this.#res.on('close', settle);
    });
  }
}
