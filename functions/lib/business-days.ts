/**
 * Brazilian business days, for legal deadlines counted "em dias úteis" (the ANPD's three business days to
 * communicate a security incident, Resolução CD/ANPD 15/2024 art. 6). Dates are calendar days in Brasília
 * (UTC−3 all year since daylight saving time ended in 2019, Decreto 9.772/2019), written `YYYY-MM-DD`.
 *
 * Non-business days: Saturdays, Sundays, the national holidays of Lei 662/1949 (as amended by Lei 6.802/1980,
 * Lei 10.607/2002 and Lei 14.759/2023: 1 January, 21 April, 1 May, 7 September, 12 October, 2 November,
 * 15 November, 20 November, 25 December) and the movable days counted from Easter: Carnaval Monday and Tuesday,
 * Good Friday and Corpus Christi. Carnaval and Corpus Christi are "pontos facultativos" of the federal calendar,
 * not holidays by law; the ANPD is a federal body that does not open on them, so they are counted as days off
 * here. That is the choice the ANPD's own calendar makes; municipal and state holidays are not counted.
 */

const DAY_MS = 86_400_000;
const BRASILIA_OFFSET_MS = -3 * 3_600_000;

const FIXED_HOLIDAYS = ["01-01", "04-21", "05-01", "09-07", "10-12", "11-02", "11-15", "11-20", "12-25"] as const;

/** Easter Sunday of `year` (Gregorian calendar; the anonymous algorithm of Meeus, Jones and Butcher), as UTC midnight. */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
const plusDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS);

/** The national holidays and federal days off of `year`, by date, with their names. */
export function brazilianHolidays(year: number): Map<string, string> {
  const names: Record<(typeof FIXED_HOLIDAYS)[number], string> = {
    "01-01": "Confraternização Universal",
    "04-21": "Tiradentes",
    "05-01": "Dia do Trabalho",
    "09-07": "Independência do Brasil",
    "10-12": "Nossa Senhora Aparecida",
    "11-02": "Finados",
    "11-15": "Proclamação da República",
    "11-20": "Dia Nacional de Zumbi e da Consciência Negra",
    "12-25": "Natal",
  };
  const days = new Map<string, string>();
  for (const monthDay of FIXED_HOLIDAYS) days.set(`${year}-${monthDay}`, names[monthDay]);
  const easter = easterSunday(year);
  days.set(isoDay(plusDays(easter, -48)), "Carnaval (segunda-feira)");
  days.set(isoDay(plusDays(easter, -47)), "Carnaval (terça-feira)");
  days.set(isoDay(plusDays(easter, -2)), "Sexta-feira da Paixão");
  days.set(isoDay(plusDays(easter, 60)), "Corpus Christi");
  return days;
}

/** The calendar day in Brasília of an instant. */
export function brasiliaDay(instant: Date): string {
  return isoDay(new Date(instant.getTime() + BRASILIA_OFFSET_MS));
}

/** Whether a `YYYY-MM-DD` day is a business day in Brazil (see the module comment for which days are not). */
export function isBusinessDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !brazilianHolidays(date.getUTCFullYear()).has(day);
}

/**
 * The last day of a period of `count` business days that starts after the day `instant` falls on in Brasília:
 * the day of the event is not counted, the last day is (the usual rule for legal periods, CPC art. 224).
 */
export function addBusinessDays(instant: Date, count: number): string {
  let date = new Date(`${brasiliaDay(instant)}T00:00:00Z`);
  let left = count;
  while (left > 0) {
    date = plusDays(date, 1);
    if (isBusinessDay(isoDay(date))) left -= 1;
  }
  return isoDay(date);
}
