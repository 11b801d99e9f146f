import { timestamp } from "drizzle-orm/pg-core";

/**
 * A point in time: `timestamptz`, read as a `Date`, to the microsecond, or to the millisecond (`precision: 3`)
 * where rows are ordered or compared with what JavaScript wrote.
 */
export const instant = (name: string, options: { precision?: 3 } = {}) =>
  timestamp(name, { withTimezone: true, mode: "date", ...options });

/** When the row was written (the database's clock). */
export const createdAt = (options: { precision?: 3 } = {}) => instant("created_at", options).notNull().defaultNow();
