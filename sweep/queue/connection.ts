import { Redis } from 'ioredis';

/** The queue every `fleetlab sweep --queue` and `fleetlab worker` share unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'fleetlab-sweep';

/** Where the queue lives: a Redis URL and the BullMQ queue name inside it. */
export interface QueueTarget {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). */
  readonly url: string;
  readonly name: string;
}

/** Refuses anything that is not a redis:// or rediss:// URL, naming the flag and the value. */
export function parseRedisUrl(value: string, field = '--queue'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${field}: expected a Redis URL such as redis://127.0.0.1:6379, received "${value}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`${field}: expected a redis:// or rediss:// URL, received "${value}" (protocol ${url.protocol})`);
  }
  if (url.hostname === '') throw new Error(`${field}: the URL "${value}" names no host; expected e.g. redis://127.0.0.1:6379`);
  return value;
}

/**
 * One ioredis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ requires of
 * worker connections (blocking commands must wait, not fail, while Redis restarts).
 */
export function connect(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/**
 * Waits until `connection` is ready, or fails naming the URL: ioredis (as BullMQ configures it)
 * would otherwise retry forever, and an enqueuer with a mistyped host would wait silently.
 */
export async function reachRedis(connection: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (connection.status === 'ready') return;
  let lastError = '';
  const onError = (error: Error): void => {
    lastError = error.message;
  };
  connection.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`cannot reach Redis at ${url} within ${timeoutMs / 1000} s${lastError === '' ? '' : ` (${lastError})`}; is redis-server running and reachable from here?`)),
        timeoutMs,
      );
      connection.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    connection.off('error', onError);
  }
}
