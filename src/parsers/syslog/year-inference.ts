/**
 * Year inference for year-less syslog lines, in one pass.
 *
 * A file's mtime dates its last line. While reading we do not know the last line yet, so years
 * are assigned provisionally from the first line (the mtime's year, or the year before when the
 * first line's month/day lies after the mtime's) and incremented at each December→January
 * roll-over. At the end the last line's provisional year is compared with the year the mtime
 * gives it, and the difference is applied to every year-inferred event of the file (usually 0).
 */
export class YearTracker {
  private currentYear: number | null = null;
  /** Highest month seen since the last roll-over. */
  private maxMonth = 0;
  private rolledOver = false;
  private last: { month: number; day: number; year: number } | null = null;
  private readonly mtime: Date;

  /** `fixedYear`: the year of the first year-less line, given by the user (`--year`). */
  constructor(mtimeMs: number, private readonly fixedYear?: number) {
    this.mtime = new Date(mtimeMs);
  }

  /** Year for a year-less line with this month/day. */
  yearFor(month: number, day: number): number {
    if (this.currentYear === null) {
      this.currentYear = this.fixedYear ?? this.yearEndingAtMtime(month, day);
      this.maxMonth = month;
    } else if (this.maxMonth >= 11 && month <= 2) {
      this.currentYear += 1;
      this.maxMonth = month;
      this.rolledOver = true;
    } else if (this.rolledOver && this.maxMonth <= 2 && month >= 11) {
      // A straggler from before the roll-over (lines slightly out of order around New Year).
      return this.currentYear - 1;
    } else if (month > this.maxMonth) {
      this.maxMonth = month;
    }
    this.last = { month, day, year: this.currentYear };
    return this.currentYear;
  }

  /** Years to add to every year-inferred event once the file is read (0 with --year). */
  finalShift(): number {
    if (this.fixedYear !== undefined || this.last === null) return 0;
    return this.yearEndingAtMtime(this.last.month, this.last.day) - this.last.year;
  }

  /** The year in which month/day last occurred at or before the mtime. */
  private yearEndingAtMtime(month: number, day: number): number {
    const y = this.mtime.getUTCFullYear();
    const mm = this.mtime.getUTCMonth() + 1;
    const md = this.mtime.getUTCDate();
    // One day of slack: the mtime is UTC while the line may be local time ahead of it.
    const after = month > mm || (month === mm && day > md + 1);
    return after ? y - 1 : y;
  }
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** The nearest leap year at or before `y` (for a Feb 29 line in a non-leap inferred year). */
export function leapYearAtOrBefore(y: number): number {
  let year = y;
  while (!isLeapYear(year)) year -= 1;
  return year;
}
