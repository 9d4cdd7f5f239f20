/**
 * A least-recently-used map bounded by its entry count and, when given `sizeOf`, by the bytes its values hold.
 * A value larger than the byte bound is not kept at all (it would evict everything else for nothing).
 * The Map's insertion order is the recency order, so eviction takes the first key: O(1) whatever the size.
 * `onEvict` sees what the bounds push out and what `clear` drops, not what `delete` or a new `set` replaces.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private heldBytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly options: {
      readonly maxBytes?: number;
      readonly sizeOf?: (value: V) => number;
      readonly onEvict?: (key: K, value: V) => void;
    } = {},
  ) {
    if (!(maxEntries >= 0)) throw new Error('maxEntries must be ≥ 0');
    if (options.maxBytes !== undefined && !(options.maxBytes >= 0)) throw new Error('maxBytes must be ≥ 0');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes the kept values hold, as `sizeOf` counts them (0 without it). */
  get bytes(): number {
    return this.heldBytes;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value without making it the most recently used. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.options.sizeOf?.(value) ?? 0;
    const maxBytes = this.options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (bytes > maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.heldBytes += bytes;
    while (this.entries.size > this.maxEntries || this.heldBytes > maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      const evicted = this.entries.get(oldest.value)!;
      this.entries.delete(oldest.value);
      this.heldBytes -= evicted.bytes;
      this.options.onEvict?.(oldest.value, evicted.value);
    }
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
    return true;
  }

  clear(): void {
    for (const [key, entry] of this.entries) this.options.onEvict?.(key, entry.value);
    this.entries.clear();
    this.heldBytes = 0;
  }
}

/**
 * The bytes a value holds in typed arrays, found through plain objects and arrays (each buffer counted once);
 * strings count two bytes a character. Iterative, so any nesting is safe.
 */
export function heldBytes(value: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let total = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') total += item.length * 2;
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    if (ArrayBuffer.isView(item)) {
      if (!buffers.has(item.buffer)) {
        buffers.add(item.buffer);
        total += item.buffer.byteLength;
      }
      continue;
    }
    if (item instanceof Map) {
      for (const entry of item.values()) stack.push(entry);
      continue;
    }
    if (Array.isArray(item)) {
      for (const entry of item) stack.push(entry);
      continue;
    }
    if (Object.getPrototypeOf(item) === Object.prototype) for (const entry of Object.values(item)) stack.push(entry);
  }
  return total;
}
