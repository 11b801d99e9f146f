import { describe, expect, it } from "vitest";
import {
  addBusinessDays,
  brasiliaDay,
  brazilianHolidays,
  easterSunday,
  isBusinessDay,
} from "../../functions/lib/business-days.js";

describe("Brazilian business days (the ANPD's three-business-day deadline)", () => {
  it("finds Easter and the days counted from it", () => {
    expect(easterSunday(2024).toISOString().slice(0, 10)).toBe("2024-03-31");
    expect(easterSunday(2026).toISOString().slice(0, 10)).toBe("2026-04-05");
    expect(easterSunday(2027).toISOString().slice(0, 10)).toBe("2027-03-28");
    const days = brazilianHolidays(2026);
    expect(days.get("2026-02-16")).toMatch(/Carnaval/);
    expect(days.get("2026-02-17")).toMatch(/Carnaval/);
    expect(days.get("2026-04-03")).toBe("Sexta-feira da Paixão");
    expect(days.get("2026-06-04")).toBe("Corpus Christi");
    expect(days.get("2026-11-20")).toMatch(/Consciência Negra/);
    expect(days.size).toBe(13);
  });

  it("skips a weekend", () => {
    // Learned of on Thursday 5 March 2026: Friday, Monday, Tuesday.
    expect(addBusinessDays(new Date("2026-03-05T15:00:00Z"), 3)).toBe("2026-03-10");
    // Friday: Monday, Tuesday, Wednesday.
    expect(addBusinessDays(new Date("2026-03-06T12:00:00Z"), 3)).toBe("2026-03-11");
  });

  it("skips a weekend and a holiday: Good Friday, and Tiradentes on a Tuesday", () => {
    // Wednesday 1 April 2026: Thursday; Good Friday, the weekend; Monday; Tuesday.
    expect(addBusinessDays(new Date("2026-04-01T12:00:00Z"), 3)).toBe("2026-04-07");
    // Friday 17 April 2026: Monday 20; Tiradentes on Tuesday 21; Wednesday 22, Thursday 23.
    expect(addBusinessDays(new Date("2026-04-17T12:00:00Z"), 3)).toBe("2026-04-23");
  });

  it("skips Carnaval and the turn of the year", () => {
    // Friday 13 February 2026: Carnaval Monday and Tuesday are off; Wednesday, Thursday, Friday.
    expect(addBusinessDays(new Date("2026-02-13T12:00:00Z"), 3)).toBe("2026-02-20");
    // Wednesday 30 December 2026: Thursday 31; 1 January; the weekend; Monday 4, Tuesday 5.
    expect(addBusinessDays(new Date("2026-12-30T12:00:00Z"), 3)).toBe("2027-01-05");
  });

  it("counts from the day in Brasília, not in UTC", () => {
    // 01:00 UTC on Friday is still Thursday evening in Brasília.
    expect(brasiliaDay(new Date("2026-03-06T01:00:00Z"))).toBe("2026-03-05");
    expect(addBusinessDays(new Date("2026-03-06T01:00:00Z"), 3)).toBe("2026-03-10");
    expect(isBusinessDay("2026-03-07")).toBe(false);
    expect(isBusinessDay("2026-11-20")).toBe(false);
    expect(isBusinessDay("2026-11-19")).toBe(true);
  });
});
