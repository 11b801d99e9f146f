import { describe, expect, it } from "vitest";
import { createPace, paced } from "../../functions/lib/pace.js";

/** A pace on a fake clock: sleeping moves the clock, `work(ms)` moves it as a batch would. */
function fakePace(options: { budgetMs: number; duty: number; maxRestMs: number }) {
  let clock = 1_000_000;
  const rests: number[] = [];
  const pace = createPace({
    ...options,
    now: () => clock,
    sleep: async (ms) => {
      rests.push(ms);
      clock += ms;
    },
  });
  return { pace, rests, work: (ms: number) => (clock += ms), elapsed: () => clock - 1_000_000 };
}

describe("the pace of a batch loop", () => {
  it("rests after each batch as long as the duty asks: at 50 %, as long as the batch took", async () => {
    const { pace, rests, work } = fakePace({ budgetMs: 60_000, duty: 0.5, maxRestMs: 10_000 });
    expect(await pace.next()).toBe(true);
    work(300);
    pace.done(300);
    expect(await pace.next()).toBe(true);
    work(100);
    pace.done(100);
    expect(await pace.next()).toBe(true);
    expect(rests).toEqual([300, 100]);
  });

  it("works at most `duty` of the wall time", async () => {
    const { pace, work, elapsed } = fakePace({ budgetMs: 600_000, duty: 0.25, maxRestMs: 10_000 });
    let worked = 0;
    for (let i = 0; i < 20; i++) {
      expect(await pace.next()).toBe(true);
      work(200);
      worked += 200;
      pace.done(200);
    }
    await pace.next();
    expect(worked / elapsed()).toBeCloseTo(0.25, 5);
  });

  it("bounds a single rest, and never rests past the budget", async () => {
    const { pace, rests, work } = fakePace({ budgetMs: 5_000, duty: 0.5, maxRestMs: 1_000 });
    await pace.next();
    work(3_000);
    pace.done(3_000);
    expect(await pace.next()).toBe(true);
    expect(rests).toEqual([1_000]);
    work(800);
    pace.done(800);
    // 4.8 s of the 5 s spent: the rest is cut at the deadline, and no batch follows.
    expect(await pace.next()).toBe(false);
    expect(rests).toEqual([1_000, 200]);
  });

  it("refuses a batch once the budget is spent, however it was spent", async () => {
    const { pace, work } = fakePace({ budgetMs: 1_000, duty: 1, maxRestMs: 1_000 });
    expect(await pace.next()).toBe(true);
    work(1_000);
    pace.done(1_000);
    expect(await pace.next()).toBe(false);
  });

  it("says when its budget is spent, as the job's rotation asks after each tenant", async () => {
    const { pace, work } = fakePace({ budgetMs: 1_000, duty: 1, maxRestMs: 1_000 });
    expect(pace.spent()).toBe(false);
    work(999);
    expect(pace.spent()).toBe(false);
    work(1);
    expect(pace.spent()).toBe(true);
    expect(await pace.next()).toBe(false);
  });

  it("charges a batch that throws", async () => {
    let charged = -1;
    const pace = {
      next: async () => true,
      done: (ms: number) => void (charged = ms),
      spent: () => false,
      rest: async () => {},
    };
    await expect(
      paced(pace, async () => {
        throw new Error("S3 refused");
      }),
    ).rejects.toThrow("S3 refused");
    expect(charged).toBeGreaterThanOrEqual(0);
  });

  it("charges a batch that did work, and nothing for one that found nothing to do", async () => {
    const charges: number[] = [];
    const pace = {
      next: async () => true,
      done: (ms: number) => void charges.push(ms),
      spent: () => false,
      rest: async () => {},
    };
    const batch = (processed: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return processed;
    };
    expect(await paced(pace, batch(200), (processed) => processed > 0)).toBe(200);
    expect(await paced(pace, batch(0), (processed) => processed > 0)).toBe(0);
    expect(charges[0]).toBeGreaterThanOrEqual(15);
    expect(charges[1]).toBe(0);
  });

  it("refuses a duty outside (0, 1]", () => {
    expect(() => createPace({ budgetMs: 1, duty: 0, maxRestMs: 1 })).toThrow(RangeError);
    expect(() => createPace({ budgetMs: 1, duty: 1.5, maxRestMs: 1 })).toThrow(RangeError);
  });
});
