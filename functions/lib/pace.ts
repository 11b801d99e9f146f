/**
 * The pace of a job's batch loop, so background work never starves interactive requests (a sign-in's PBKDF2
 * shares the machine's cores with it): after each batch the loop rests in proportion to the batch's own wall
 * time, so the job works at most `duty` of the time, and it stops taking batches once its time budget is spent.
 * A batch is never cut short: the loop asks before each one, and the job's checkpoint keeps its place for the next
 * run. One pace spans every tenant of a run, so the budget bounds the whole run (Workers cron: 15 min wall).
 */
export interface Pace {
  /**
   * Before a batch: rests what the previous batch owes, then answers whether the budget allows another one
   * (false: stop here, the next run continues).
   */
  next(): Promise<boolean>;
  /** After a batch, with its wall time in ms: adds to what the next `next()` (or `rest()`) rests. */
  done(batchMs: number): void;
  /**
   * At the end of a run: rests what the last batch owes, so a run followed at once by another (an overlapping cron
   * invocation, a short run fired again) still works at most `duty` of the time.
   */
  rest(): Promise<void>;
  /** Whether the budget is spent (the next `next()` answers false). */
  spent(): boolean;
}

export interface PaceOptions {
  /** Wall time the run may take, from the pace's creation. */
  budgetMs: number;
  /** The share of wall time spent working, in (0, 1]: 0.5 rests as long as each batch took. */
  duty: number;
  /** The longest single rest (a slow batch, e.g. one waiting on S3, is not paid back in full). */
  maxRestMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createPace(options: PaceOptions): Pace {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  if (!(options.duty > 0 && options.duty <= 1)) throw new RangeError("duty must be in (0, 1]");
  const deadline = now() + options.budgetMs;
  let owed = 0;
  const rest = async () => {
    const ms = Math.min(owed, options.maxRestMs, deadline - now());
    owed = 0;
    if (ms > 0) await sleep(ms);
  };
  return {
    async next() {
      await rest();
      return now() < deadline;
    },
    done(batchMs) {
      owed += (Math.max(0, batchMs) * (1 - options.duty)) / options.duty;
    },
    rest,
    spent() {
      return now() >= deadline;
    },
  };
}

/**
 * Times one batch for the pace; a batch that throws still owes its rest. `worked` says whether a batch's result did
 * work worth resting from: a batch that found nothing to do (one indexed look that came back empty) owes none, so
 * a run over many tenants with nothing due does not rest once per tenant and task.
 */
export async function paced<T>(
  pace: Pace | undefined,
  batch: () => Promise<T>,
  worked: (result: T) => boolean = () => true,
): Promise<T> {
  const started = Date.now();
  let result: { value: T } | undefined;
  try {
    result = { value: await batch() };
    return result.value;
  } finally {
    pace?.done(result === undefined || worked(result.value) ? Date.now() - started : 0);
  }
}
