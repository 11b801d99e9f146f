import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cronMatches, cronsFromWranglerToml, parseCron } from "../../scripts/dev-cron.js";

const at = (iso: string) => new Date(iso);

// `npm run dev` fires the Worker's cron triggers itself (wrangler does not locally): these are its schedules.
describe("dev cron schedules", () => {
  const crons = cronsFromWranglerToml(readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8"));

  it("reads every cron of wrangler.toml's [triggers], and each one parses", () => {
    expect(crons).toEqual(expect.arrayContaining(["* * * * *", "0 * * * *", "30 3 * * *"]));
    for (const cron of crons) expect(() => parseCron(cron)).not.toThrow();
  });

  it("fires the minutely trigger every minute", () => {
    const every = parseCron("* * * * *");
    expect(cronMatches(every, at("2026-12-03T01:17:00Z"))).toBe(true);
    expect(cronMatches(every, at("2026-12-31T23:59:59Z"))).toBe(true);
  });

  it("fires the hourly trigger only at minute 0", () => {
    const hourly = parseCron("0 * * * *");
    expect(cronMatches(hourly, at("2026-12-03T04:00:10Z"))).toBe(true);
    expect(cronMatches(hourly, at("2026-12-03T04:01:00Z"))).toBe(false);
    expect(cronMatches(hourly, at("2026-12-03T04:59:00Z"))).toBe(false);
  });

  it("fires the daily trigger at 03:30 UTC, whatever the machine's time zone", () => {
    const daily = parseCron("30 3 * * *");
    expect(cronMatches(daily, at("2026-12-03T03:30:00Z"))).toBe(true);
    expect(cronMatches(daily, at("2026-12-03T00:30:00-03:00"))).toBe(true);
    expect(cronMatches(daily, at("2026-12-03T03:31:00Z"))).toBe(false);
    expect(cronMatches(daily, at("2026-12-03T04:30:00Z"))).toBe(false);
  });

  it("reads ranges, steps and lists", () => {
    const schedule = parseCron("*/15 9-17 1,15 * 1-5");
    expect([...schedule.minutes]).toEqual([0, 15, 30, 45]);
    expect([...schedule.hours]).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(cronMatches(parseCron("5-20/5 * * * *"), at("2026-12-03T10:20:00Z"))).toBe(true);
    expect(cronMatches(parseCron("5-20/5 * * * *"), at("2026-12-03T10:25:00Z"))).toBe(false);
  });

  it("runs on either day when both day of month and day of week are restricted, as cron does", () => {
    // 2026-12-03 is a Thursday (4); 2026-12-01 a Tuesday.
    const schedule = parseCron("0 12 1 * 4");
    expect(cronMatches(schedule, at("2026-12-03T12:00:00Z"))).toBe(true);
    expect(cronMatches(schedule, at("2026-12-01T12:00:00Z"))).toBe(true);
    expect(cronMatches(schedule, at("2026-12-02T12:00:00Z"))).toBe(false);
    // Only the day of week restricted: the day of month does not widen it.
    expect(cronMatches(parseCron("0 12 * * 0"), at("2026-12-06T12:00:00Z"))).toBe(true);
    expect(cronMatches(parseCron("0 12 * * 7"), at("2026-12-06T12:00:00Z"))).toBe(true);
    expect(cronMatches(parseCron("0 12 * * 0"), at("2026-12-03T12:00:00Z"))).toBe(false);
  });

  it.each(["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "5-1 * * * *", "*/0 * * * *", "a * * * *"])(
    "refuses %j",
    (expression) => {
      expect(() => parseCron(expression)).toThrow(/cron/);
    },
  );

  it("ignores crons outside [triggers]", () => {
    const toml = `[env.x]\ncrons = ["1 1 1 1 1"]\n\n[triggers]\ncrons = [ "0 * * * *", '15 2 * * *' ]\n\n[other]\ncrons = ["9 9 9 9 9"]\n`;
    expect(cronsFromWranglerToml(toml)).toEqual(["0 * * * *", "15 2 * * *"]);
    expect(cronsFromWranglerToml("name = 'x'\n")).toEqual([]);
  });
});
