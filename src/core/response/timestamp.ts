/**
 * Submission timestamps as survey tools export them, read to epoch milliseconds.
 *
 * Accepted forms (Urdu/Arabic digits allowed):
 * - a date cell from XLSX, or an Excel serial day number;
 * - ISO 8601: `2024-03-14`, `2024-03-14 10:15`, `2024-03-14T10:15:23.5Z`, `…+05:00`;
 * - Google Forms' own CSV download: `2024/03/14 10:15:23 AM GMT+5`, `2024/03/14 10:15:23 pm GMT+5:30`;
 * - spreadsheet locale forms: `3/14/2024 10:15:23`, `14/03/2024 10:15`, `14.03.2024`, with optional AM/PM.
 *   Whether `3/4/2024` is 3 April or 4 March is decided for the whole column (see `TimestampColumn`).
 * A time without a zone is read as wall-clock time and stored as if it were UTC; a `GMT±h`/`Z`/`±hh:mm`
 * zone is applied.
 */
import { at } from '../stats/at.js';
import type { RawCell } from './cells.js';
import { asciiDigits } from './normalize.js';

/** Both readings of a timestamp: month/day/year and day/month/year (equal when the form is not ambiguous; NaN when impossible). */
interface TimestampReadings {
  readonly mdy: number;
  readonly dmy: number;
}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const YMD =
  /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?\s*(?:(?:gmt|utc)\s*(?:([+-]\d{1,2})(?::?(\d{2}))?)?)?$/i;
const AB_Y =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?\s*(?:(?:gmt|utc)\s*(?:([+-]\d{1,2})(?::?(\d{2}))?)?)?$/i;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(y: number, m: number): number {
  if (m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) return 29;
  return at(DAYS, m - 1);
}

/** Epoch ms of a wall-clock time, NaN when a field is out of range. */
function wall(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  ampm: string | undefined,
  offsetMin: number,
): number {
  let hour = h;
  if (ampm !== undefined) {
    if (h < 1 || h > 12) return Number.NaN;
    const pm = ampm.toLowerCase().startsWith('p');
    hour = (h % 12) + (pm ? 12 : 0);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || hour > 23 || mi > 59 || s > 59) return Number.NaN;
  return Date.UTC(y, mo - 1, d, hour, mi, s, ms) - offsetMin * 60_000;
}

function offsetMinutes(hours: string | undefined, minutes: string | undefined): number {
  if (hours === undefined) return 0;
  const h = Number(hours);
  const m = minutes === undefined ? 0 : Number(minutes);
  return h < 0 || hours.startsWith('-') ? h * 60 - m : h * 60 + m;
}

const EXCEL_EPOCH_DAYS = 25569; // 1970-01-01 as an Excel (1900 system) serial day

/** Read a timestamp cell; `null` when it is not a date and time in any accepted form. */
export function parseTimestamp(cell: RawCell): TimestampReadings | null {
  if (cell instanceof Date) {
    const t = cell.getTime();
    return Number.isNaN(t) ? null : { mdy: t, dmy: t };
  }
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell) || cell <= 0) return null;
    const t = Math.round((cell - EXCEL_EPOCH_DAYS) * 86_400_000);
    return { mdy: t, dmy: t };
  }
  if (typeof cell !== 'string') return null;
  const s = asciiDigits(cell.trim()).replace(/\s+/g, ' ');
  let m = ISO.exec(s);
  if (m) {
    let off = 0;
    const z = m[8];
    if (z !== undefined && z.toUpperCase() !== 'Z') {
      const sign = z.startsWith('-') ? -1 : 1;
      const digits = z.slice(1).replace(':', '');
      off = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
    }
    const frac = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
    const t = wall(
      +at(m, 1),
      +at(m, 2),
      +at(m, 3),
      +(m[4] ?? 0),
      +(m[5] ?? 0),
      +(m[6] ?? 0),
      frac,
      undefined,
      off,
    );
    return Number.isNaN(t) ? null : { mdy: t, dmy: t };
  }
  m = YMD.exec(s);
  if (m) {
    const t = wall(
      +at(m, 1),
      +at(m, 2),
      +at(m, 3),
      +(m[4] ?? 0),
      +(m[5] ?? 0),
      +(m[6] ?? 0),
      0,
      m[4] === undefined ? undefined : m[7],
      offsetMinutes(m[8], m[9]),
    );
    return Number.isNaN(t) ? null : { mdy: t, dmy: t };
  }
  m = AB_Y.exec(s);
  if (m) {
    const a = +at(m, 1);
    const b = +at(m, 2);
    const y = +at(m, 3);
    const rest = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)] as const;
    const ampm = m[4] === undefined ? undefined : m[7];
    const off = offsetMinutes(m[8], m[9]);
    const mdy = wall(y, a, b, rest[0], rest[1], rest[2], 0, ampm, off);
    const dmy = wall(y, b, a, rest[0], rest[1], rest[2], 0, ampm, off);
    return Number.isNaN(mdy) && Number.isNaN(dmy) ? null : { mdy, dmy };
  }
  return null;
}
