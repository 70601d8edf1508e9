import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';

/**
 * Server-sent events over a raw response, as OpenAI streams: `data: <json>\n\n` per chunk and
 * `data: [DONE]\n\n` last. Writes wait for 'drain' so a slow client slows its own request
 * rather than buffering it in memory.
 *
 * An event is one chunk of HTTP/1.1's chunked encoding, as `res.write` would frame it. After
 * the first event, whose write also sends the headers, the frames go straight to the socket:
 * `res.write` adds a cork, a tick and a four-part writev per event, and at one event per token
 * per stream that was the API's largest cost (bench:serve section 2b). The bytes are the same.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  /** The headers went out (with the first event, through res.write). */
  #headed = false;

  constructor(res: ServerResponse) {
    this.#res = res;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }

  get open(): boolean {
    return !this.#res.destroyed && !this.#res.writableEnded;
  }

  /** Sends one chunk; awaiting it waits only while the client is not reading (see sendJson). */
  async send(chunk: unknown): Promise<void> {
    await this.sendJson(JSON.stringify(chunk));
  }

  /**
   * Sends one event whose data is `json`. Returns undefined when the bytes were taken (the
   * per-token path then awaits nothing), or a promise that resolves on 'drain' or 'close'.
   */
  sendJson(json: string): Promise<void> | undefined {
    return this.#write(`data: ${json}\n\n`);
  }

  async done(): Promise<void> {
    await this.#write('data: [DONE]\n\n');
    this.#res.end();
  }

  /** The socket to frame chunks on directly, or undefined where `res.write` must do it. */
  #directSocket(): Socket | undefined {
    const res = this.#res;
    // `chunkedEncoding` is set with the headers (HTTP/1.1, no content-length); an HTTP/1.0
    // client gets no chunked encoding and goes through res.write. A response holds its socket
    // only while it is the connection's current one, so nothing of another response can sit
    // between these frames.
    if (!this.#headed || !res.chunkedEncoding) return undefined;
    const socket = res.socket;
    return socket === null || socket.destroyed ? undefined : socket;
  }

  #write(text: string): Promise<void> | undefined {
    if (!this.open) return undefined;
    const socket = this.#directSocket();
    const taken = socket !== undefined ? socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`) : this.#res.write(text);
    this.#headed = true;
    if (taken) return undefined;
    const emitter = socket ?? this.#res;
    return new Promise<void>((resolve) => {
      const settle = (): void => {
        emitter.off('drain', settle);
        this.#res.off('close', settle);
        resolve();
      };
      emitter.on('drain', settle);
      this.#res.on('close', settle);
    });
  }
}
