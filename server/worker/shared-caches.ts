import type { SharedCaches } from '../../nodes/contract/node-context.js';

interface Entry {
  readonly value: Promise<unknown>;
  readonly dispose: ((value: never) => Promise<void> | void) | undefined;
  lastUsed: number;
}

/**
 * Caches that outlive a run (model sessions, tokenizers): created once per key, shared by every node,
 * bounded by `maxEntries` with least-recently-used eviction, and disposed when evicted or cleared.
 */
export class SharedCachesStore implements SharedCaches {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;

  constructor(private readonly maxEntries = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.entries.size;
  }

  async getOrCreate<T>(
    key: string,
    create: () => Promise<T>,
    dispose?: (value: T) => Promise<void> | void,
  ): Promise<T> {
    const existing = this.entries.get(key);
    if (existing) {
      existing.lastUsed = ++this.clock;
      return existing.value as Promise<T>;
    }
    const value = create();
    this.entries.set(key, {
      value,
      dispose: dispose,
      lastUsed: ++this.clock,
    });
    // A failed creation must not stay cached: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    await this.evictBeyondLimit(key);
    return value;
  }

  private async evictBeyondLimit(keep: string): Promise<void> {
    while (this.entries.size > this.maxEntries) {
      let oldestKey: string | undefined;
      let oldest = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.entries) {
        if (key !== keep && entry.lastUsed < oldest) {
          oldest = entry.lastUsed;
          oldestKey = key;
        }
      }
      if (oldestKey === undefined) return;
      await this.disposeEntry(oldestKey);
    }
  }

  private async disposeEntry(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    try {
      const value = await entry.value;
      await entry.dispose?.(value as never);
    } catch {
      // Creation failed or disposal failed: either way nothing is left to free.
    }
  }

  async clear(): Promise<void> {
    for (const key of [...this.entries.keys()]) await this.disposeEntry(key);
  }
}
