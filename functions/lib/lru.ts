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
  /** The most recently used key, when known: reading it again needs no reordering. */
  private newest: string | undefined;

  constructor(private readonly limits: LruLimits) {}

  /**
   * The value while it is fresh at `now` (it becomes the most recently used), or null. Reading the most recently
   * used key again leaves the order as it is, so a run of reads of one key moves nothing.
   */
  get(key: string, now: number): V | null {
    const slot = this.fresh(key, now);
    if (!slot) return null;
    if (key !== this.newest) {
      this.slots.delete(key);
      this.slots.set(key, slot);
      this.newest = key;
    }
    return slot.value;
  }

  /**
   * The value while it is fresh at `now`, or null, without making it the most recently used: for a memo whose
   * entries may as well leave in the order they came.
   */
  peek(key: string, now: number): V | null {
    return this.fresh(key, now)?.value ?? null;
  }

  /** The key's slot while it is fresh at `now`; an expired one is dropped (and its bytes freed). */
  private fresh(key: string, now: number): Slot<V> | undefined {
    const slot = this.slots.get(key);
    if (slot && now >= slot.expiresAt) {
      this.delete(key);
      return undefined;
    }
    return slot;
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
    this.newest = key;
    return true;
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.used -= slot.bytes;
    if (key === this.newest) this.newest = undefined;
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
    this.newest = undefined;
  }

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.used;
  }
}
