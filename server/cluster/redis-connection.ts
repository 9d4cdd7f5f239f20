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
