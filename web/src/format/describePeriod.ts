/** Units a period is said in, largest first; a month is 30 days and a year 365, as the platform counts them. */
const UNITS = [
  ["year", 31_536_000],
  ["month", 2_592_000],
  ["week", 604_800],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
] as const;

export type PeriodUnit = (typeof UNITS)[number][0];

/** A period in seconds as a whole number of the largest unit that divides it: 7,776,000 -> 3 months. */
export function describePeriod(seconds: number): { unit: PeriodUnit; count: number } {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new RangeError(`not a period: ${seconds} seconds`);
  for (const [unit, size] of UNITS) {
    if (seconds % size === 0) return { unit, count: seconds / size };
  }
  throw new Error("unreachable: every whole number of seconds is a whole number of seconds");
}
