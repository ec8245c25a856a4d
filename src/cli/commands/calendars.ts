import type { Command } from "commander";
import { CALENDARS, type CalendarInfo, calendarInfo } from "../../calendar/public.js";
import { formatTable } from "../report-format.js";

/** The options of `sessiondata calendars`, as commander parses them. */
export interface CalendarsCommandOptions {
  readonly json?: boolean;
}

/** What `sessiondata calendars --json` prints. */
export interface CalendarsCommandResult {
  readonly calendars: readonly CalendarInfo[];
}

/** The human-readable listing: one row per calendar, local times in its zone. */
export function formatCalendars(result: CalendarsCommandResult): string {
  const rows = result.calendars.map((c) => [
    c.name,
    c.aliases.join(", ") || "-",
    c.timeZone,
    `${c.regular.open}${c.regular.opensDayBefore ? " (day before)" : ""}–${c.regular.close}`,
    c.break === null ? "-" : `${c.break.start}–${c.break.end}`,
    c.extended === null ? "-" : `${c.extended.preOpen}–${c.extended.postClose}`,
    c.earlyClose ?? "-",
    `${c.range.from.slice(0, 4)}–${c.range.to.slice(0, 4)}`,
  ]);
  const table = formatTable(
    ["calendar", "aliases", "zone", "regular", "break", "extended", "half day", "years"],
    rows,
  );
  const notes = result.calendars.map((c) => `${c.name}: ${c.notes}`);
  return `${table}\n\n${notes.join("\n")}\n`;
}

/** `sessiondata calendars`: every built-in calendar with its zone and hours. */
export function runCalendars(options: CalendarsCommandOptions): CalendarsCommandResult {
  const result = { calendars: CALENDARS.map(calendarInfo) };
  process.stdout.write(
    options.json ? `${JSON.stringify(result, null, 2)}\n` : formatCalendars(result),
  );
  return result;
}

/** Registers `sessiondata calendars`. */
export function registerCalendars(program: Command): void {
  program
    .command("calendars")
    .description(
      "list the calendars --calendar takes: names, aliases, zones, hours (regular, break, extended)",
    )
    .option("--json", "print only the listing as JSON on stdout")
    .action((options: CalendarsCommandOptions) => {
      runCalendars(options);
    });
}
