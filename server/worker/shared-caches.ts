import type { SharedCaches } from '../../nodes/contract/node-context.js';
import { LruCache } from './lru-cache.js';

interface Entry {
  readonly value: Promise<unknown>;
  /** Waits for the value and disposes of it; never throws. */
  readonly release: () => Promise<void>;
}

/**
 * Caches that outlive a run (model sessions, tokenizers): created once per key, shared by every node,
 * bounded by `maxEntries` with least-recently-used eviction, and disposed when evicted or cleared.
 */
export class SharedCachesStore implements SharedCaches {
  private readonly entries: LruCache<string, Entry>;
  /** Evicted entries not yet disposed of: the LRU evicts synchronously, disposal is awaited after. */
  private readonly evicted: Entry[] = [];

  constructor(maxEntries = Number.POSITIVE_INFINITY) {
    // At least one entry stays: the one just created is never evicted to make room for itself.
    this.entries = new LruCache(Math.max(1, maxEntries), { onEvict: (_key, entry) => this.evicted.push(entry) });
  }

  get size(): number {
    return this.entries.size;
  }

  async getOrCreate<T>(
    key: string,
    create: () => Promise<T>,
    dispose?: (value: T) => Promise<void> | void,
  ): Promise<T> {
    const existing = this.entries.get(key);
    // A key names one kind of value: whoever created it under this key created a T.
    if (existing) return existing.value as Promise<T>;
    const value = create();
    const release = async (): Promise<void> => {
      try {
        await dispose?.(await value);
      } catch {
        // Creation failed or disposal failed: either way nothing is left to free.
      }
    };
    this.entries.set(key, { value, release });
    // A failed creation must not stay cached: the next caller tries again.
    value.catch(() => {
      if (this.entries.peek(key)?.value === value) this.entries.delete(key);
    });
    await this.disposeEvicted();
    return value;
  }

  async clear(): Promise<void> {
    this.entries.clear();
    await this.disposeEvicted();
  }

  private async disposeEvicted(): Promise<void> {
    for (let entry = this.evicted.shift(); entry !== undefined; entry = this.evicted.shift()) await entry.release();
  }
}
