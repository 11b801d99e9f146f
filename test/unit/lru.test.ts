import { describe, expect, it } from "vitest";
import { BoundedLru } from "../../functions/lib/lru";

const at = (now: number, bytes: number, ttl = 10_000) => ({ now, bytes, expiresAt: now + ttl });

describe("BoundedLru", () => {
  it("never holds more bytes than its budget, evicting the least recently used first", () => {
    const lru = new BoundedLru<string>({ maxBytes: 100, maxEntries: 10 });
    lru.set("a", "A", at(0, 40));
    lru.set("b", "B", at(0, 40));
    expect(lru.get("a", 1)).toBe("A"); // a is now the most recently used
    lru.set("c", "C", at(2, 40));
    expect(lru.bytes).toBe(80);
    expect(lru.get("b", 3)).toBeNull();
    expect(lru.get("a", 3)).toBe("A");
    expect(lru.get("c", 3)).toBe("C");
  });

  it("evicts as many entries as a large value needs, and refuses one larger than the budget", () => {
    const lru = new BoundedLru<string>({ maxBytes: 100, maxEntries: 10 });
    for (const key of ["a", "b", "c", "d"]) lru.set(key, key, at(0, 25));
    expect(lru.set("big", "BIG", at(1, 70))).toBe(true);
    expect([lru.size, lru.bytes]).toEqual([2, 95]);
    expect(lru.get("d", 2)).toBe("d");
    expect(lru.set("huge", "HUGE", at(3, 101))).toBe(false);
    expect(lru.get("huge", 3)).toBeNull();
    expect(lru.bytes).toBeLessThanOrEqual(100);
  });

  it("holds at most maxEntries entries", () => {
    const lru = new BoundedLru<number>({ maxBytes: 1_000, maxEntries: 3 });
    for (let i = 0; i < 5; i++) lru.set(`k${i}`, i, at(i, 1));
    expect(lru.size).toBe(3);
    expect([lru.get("k0", 9), lru.get("k1", 9), lru.get("k4", 9)]).toEqual([null, null, 4]);
  });

  it("answers an entry only before it expires, and frees its bytes when it finds it expired", () => {
    const lru = new BoundedLru<string>({ maxBytes: 100, maxEntries: 10 });
    lru.set("page", "v1", { now: 1_000, bytes: 30, expiresAt: 6_000 });
    expect(lru.get("page", 5_999)).toBe("v1");
    expect(lru.get("page", 6_000)).toBeNull();
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
    expect(lru.set("late", "x", { now: 7_000, bytes: 1, expiresAt: 7_000 })).toBe(false);
  });

  it("replaces a key's value and its size, and forgets keys on delete and clear", () => {
    const lru = new BoundedLru<string>({ maxBytes: 100, maxEntries: 10 });
    lru.set("a", "old", at(0, 60));
    lru.set("a", "new", at(0, 20));
    expect([lru.get("a", 1), lru.bytes]).toEqual(["new", 20]);
    lru.set("b", "b", at(0, 10));
    lru.delete("a");
    expect([lru.get("a", 1), lru.bytes]).toEqual([null, 10]);
    lru.clear();
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
  });

  it("peeks without changing which entry leaves first", () => {
    const lru = new BoundedLru<string>({ maxBytes: 100, maxEntries: 2 });
    lru.set("a", "A", at(0, 1));
    lru.set("b", "B", at(0, 1));
    expect(lru.peek("a", 1)).toBe("A");
    lru.set("c", "C", at(2, 1));
    expect([lru.peek("a", 3), lru.peek("b", 3), lru.peek("c", 3)]).toEqual([null, "B", "C"]);
    expect(lru.peek("c", 20_000)).toBeNull();
    expect([lru.size, lru.bytes]).toEqual([1, 1]);
  });

  it("evicts exactly as a least-recently-used list would, repeated reads of one key included", () => {
    // A plain model: an array ordered from least to most recently used.
    const lru = new BoundedLru<number>({ maxBytes: 1_000, maxEntries: 4 });
    let model: string[] = [];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % 6;
    for (let step = 0; step < 3_000; step++) {
      const key = `k${next()}`;
      const op = next();
      if (op < 3) {
        const hit = lru.get(key, 1);
        expect(hit === null).toBe(!model.includes(key));
        if (hit !== null) model = [...model.filter((k) => k !== key), key];
        // Reading the newest again, as a hot page does, must change nothing either.
        if (hit !== null) expect(lru.get(key, 1)).toBe(hit);
      } else if (op < 5) {
        lru.set(key, step, at(0, 1));
        model = [...model.filter((k) => k !== key), key];
        if (model.length > 4) model = model.slice(model.length - 4);
      } else {
        lru.delete(key);
        model = model.filter((k) => k !== key);
      }
      expect(lru.size).toBe(model.length);
    }
    for (const key of ["k0", "k1", "k2", "k3", "k4", "k5"]) expect(lru.peek(key, 1) !== null).toBe(model.includes(key));
  });
});
