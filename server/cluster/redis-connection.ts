import type { RedisOptions } from 'ioredis';

/**
 * How every Inkgraph connection to Redis behaves: BullMQ needs commands to wait for a reconnect rather than fail
 * after a few tries (`maxRetriesPerRequest: null`), and a restarted Redis is retried every second at most, forever.
 */
export function redisOptions(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  };
}

/** A Redis URL as logs show it: never its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unreadable URL)';
  }
}

/** How long a process waits for Redis at start before it gives up with the reason (ioredis would retry forever). */
const REDIS_START_TIMEOUT_MS = 15_000;

/** `connecting`, or an error naming the Redis (without its password) if it does not settle in time. */
export function reachRedis<T>(connecting: Promise<T>, url: string, timeoutMs = REDIS_START_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`could not reach Redis at ${redactUrl(url)} in ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    connecting.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
