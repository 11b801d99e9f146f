/**
 * A least-recently-used map bounded by bytes and by entries, whose entries also expire. It holds plain data
 * only (no I/O objects), so a Worker may keep one per isolate across requests. A Map keeps insertion order,
 * so re-inserting on each read makes its first key the least recently used one.
 */

export interface LruLimits {
  /** The sum of the entries' declared sizes never exceeds this. */
  maxBytes: number;
  maxEntries: number;
}

interface Slot<V> {
  value: V;
  bytes: number;
  /** Milliseconds since the epoch after which the entry is gone. */
  expiresAt: number;
}

export class BoundedLru<V> {
  private readonly slots = new Map<string, Slot<V>>();
  private used = 0;

  constructor(private readonly limits: LruLimits) {}

  /** The value while it is fresh at `now` (it becomes the most recently used), or null. */
  get(key: string, now: number): V | null {
    const slot = this.slots.get(key);
    if (!slot) return null;
    this.slots.delete(key);
    if (now >= slot.expiresAt) {
      this.used -= slot.bytes;
      return null;
    }
    this.slots.set(key, slot);
    return slot.value;
  }

  /**
   * Keeps `value` until `expiresAt`, evicting the least recently used entries until both limits hold. A value
   * larger than the whole byte budget, or already expired, is not kept (and drops what the key held).
   */
  set(key: string, value: V, options: { bytes: number; expiresAt: number; now: number }): boolean {
    this.delete(key);
    if (options.bytes > this.limits.maxBytes || options.expiresAt <= options.now || this.limits.maxEntries < 1)
      return false;
    while (this.slots.size >= this.limits.maxEntries || this.used + options.bytes > this.limits.maxBytes) {
      const oldest = this.slots.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.slots.set(key, { value, bytes: options.bytes, expiresAt: options.expiresAt });
    this.used += options.bytes;
    return true;
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.used -= slot.bytes;
  }

  /** Deletes every entry whose value matches (at most `maxEntries` looked at: the cost is bounded by the limits). */
  deleteWhere(matches: (value: V) => boolean): number {
    let deleted = 0;
    for (const [key, slot] of [...this.slots]) {
      if (!matches(slot.value)) continue;
      this.delete(key);
      deleted += 1;
    }
    return deleted;
  }

  clear(): void {
    this.slots.clear();
    this.used = 0;
  }

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.used;
  }
}
