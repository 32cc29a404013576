/**
 * Reading CSV files for simulations (csv-parse), with errors that name the file, the line and the
 * column of the offending value.
 */
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Options } from 'csv-parse/sync';

/**
 * csv-parse, loaded the first time a text needs it (quotes, carriage returns, or an error's line
 * number): a trace a program writes is split by hand (splitPlainCsv), and loading the module on
 * every start cost `gpupool simulate` about 10 ms.
 */
function parse(input: string, options: Options): unknown[] {
  const csvParse = createRequire(import.meta.url)('csv-parse/sync') as { parse(input: string, options: Options): unknown[] };
  return csvParse.parse(input, options);
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A bad value in a CSV file: `file:line: column 'gpus': expected an integer >= 0, got "x"`. */
export class CsvError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${column === null ? '' : `column '${column}': `}${problem}`);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

/** One data row: typed getters that throw a CsvError naming the file, line and column. */
export class CsvRow {
  constructor(
    private readonly table: TableContext,
    readonly values: readonly string[],
    /** Position among the file's records (0 = the header). */
    private readonly record: number,
  ) {}

  /** The line of the file this row ends on (worked out only when asked: errors are rare). */
  get line(): number {
    return this.table.lineOf(this.record);
  }

  has(column: string): boolean {
    const i = this.table.index.get(column);
    return i !== undefined && (this.values[i] ?? '').trim() !== '';
  }

  fail(column: string | null, problem: string): never {
    throw new CsvError(this.table.file, this.line, column, problem);
  }

  string(column: string): string {
    const i = this.table.index.get(column);
    const v = i === undefined ? undefined : this.values[i]?.trim();
    if (v === undefined || v === '') this.fail(column, 'a value is required');
    return v;
  }

  optionalString(column: string): string | undefined {
    return this.has(column) ? this.string(column) : undefined;
  }

  /** A finite number, optionally with a lower bound (inclusive) and integrality. */
  number(column: string, { min, integer = false }: { min?: number; integer?: boolean } = {}): number {
    const raw = this.string(column);
    const n = Number(raw);
    const what = `${integer ? 'an integer' : 'a number'}${min === undefined ? '' : ` >= ${min}`}`;
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (min !== undefined && n < min)) {
      this.fail(column, `expected ${what}, got ${JSON.stringify(raw)}`);
    }
    return n;
  }

  optionalNumber(column: string, options?: { min?: number; integer?: boolean }): number | undefined {
    return this.has(column) ? this.number(column, options) : undefined;
  }

  /** A wall-clock time `YYYY-MM-DD HH:MM:SS` (read as UTC) or epoch seconds, as seconds. */
  datetime(column: string): number {
    const raw = this.string(column);
    if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(raw);
    const ms = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
    // Date.UTC rolls fields over (month 13, February 30, 24:00, minute 61 become another time):
    // a time that does not exist is refused, not read as a different one.
    const d = new Date(ms);
    const real =
      m !== null &&
      Number.isFinite(ms) &&
      d.getUTCMonth() === +m[2]! - 1 &&
      d.getUTCDate() === +m[3]! &&
      d.getUTCHours() === +m[4]! &&
      d.getUTCMinutes() === +m[5]! &&
      d.getUTCSeconds() === +m[6]!;
    if (!real) this.fail(column, `expected a time like "2017-10-09 07:01:55", got ${JSON.stringify(raw)}`);
    return ms / 1000 + (m?.[7] ? Number(m[7]) : 0);
  }
}

export function readCsvFile(file: string): CsvTable {
  return parseCsv(file, readCsvText(file));
}

/**
 * A CSV file's text, or an InputError naming the file. An ASCII file (every trace a program
 * writes) is copied into a string as it is, without decoding UTF-8: twice as fast.
 */
export function readCsvText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

interface TableContext {
  readonly file: string;
  readonly index: Map<string, number>;
  lineOf(record: number): number;
}

const OPTIONS = { skip_empty_lines: true, bom: true } as const;

/**
 * The records of a CSV text that has no quotes and no carriage returns (every trace a program
 * writes), split by hand: csv-parse takes most of a trace's reading time, and on such a text it
 * can only split on commas and line feeds. Undefined when the text needs csv-parse: it has
 * quotes or carriage returns, or records of unequal length (csv-parse's error names the line).
 * Empty lines are skipped and a leading byte-order mark dropped, as with OPTIONS.
 */
export function splitPlainCsv(text: string): string[][] | undefined {
  if (text.includes('"') || text.includes('\r')) return undefined;
  const records: string[][] = [];
  let width = -1;
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (end > at) {
      const fields = text.slice(at, end).split(',');
      if (width < 0) width = fields.length;
      else if (fields.length !== width) return undefined;
      records.push(fields);
    }
    at = end + 1;
  }
  return records;
}

/**
 * A plain CSV text (as splitPlainCsv takes: no quotes, no carriage returns) read one record at a
 * time, each field as where it starts and ends in the text: reading a large trace this way makes
 * no array or string per field, only the values its reader keeps (a million-job trace split into
 * records held 180 MB of them at once, and splitting was a quarter of the reading).
 *
 * It reads only what it can read as parseCsv and CsvRow would, and says so when it cannot
 * (`next` on a record of another width, NaN from `number`): the caller then reads the text with
 * parseCsv, whose errors name the file, line and column. So it has no line numbers of its own.
 */
export class PlainCsvRecords {
  /** The header's names, trimmed, as CsvTable's. */
  readonly header: readonly string[];
  /** Each name's column (the last of equal names, as CsvRow's lookups). */
  readonly index: ReadonlyMap<string, number>;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private at: number;

  private constructor(
    private readonly text: string,
    header: readonly string[],
    at: number,
  ) {
    this.header = header;
    this.index = new Map(header.map((h, i) => [h, i]));
    this.starts = new Int32Array(header.length);
    this.ends = new Int32Array(header.length);
    this.at = at;
  }

  /** Undefined for a text splitPlainCsv would not split, or one without a header line. */
  static of(text: string): PlainCsvRecords | undefined {
    if (text.includes('"') || text.includes('\r')) return undefined;
    let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (text.charCodeAt(at) === 10) at++;
    if (at >= text.length) return undefined;
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const header = text
      .slice(at, end)
      .split(',')
      .map((h) => h.trim());
    return new PlainCsvRecords(text, header, end + 1);
  }

  /**
   * Move to the next record (empty lines skipped): true when there is one, false at the end,
   * undefined when it has not as many fields as the header (csv-parse refuses the text).
   */
  next(): boolean | undefined {
    const text = this.text;
    const n = text.length;
    let at = this.at;
    while (at < n && text.charCodeAt(at) === 10) at++;
    if (at >= n) return false;
    const last = this.starts.length - 1;
    const starts = this.starts;
    const ends = this.ends;
    let field = 0;
    starts[0] = at;
    for (; at < n; at++) {
      const c = text.charCodeAt(at);
      if (c === 10) break;
      if (c === 44) {
        if (field === last) return undefined;
        ends[field++] = at;
        starts[field] = at + 1;
      }
    }
    ends[field] = at;
    this.at = at + 1;
    return field === last ? true : undefined;
  }

  /** The field, trimmed (CsvRow.string's value; '' where it would say a value is required). */
  string(column: number): string {
    const a = this.starts[column] as number;
    const b = this.ends[column] as number;
    if (a === b) return '';
    const s = this.text.slice(a, b);
    return isPrintable(s.charCodeAt(0)) && isPrintable(s.charCodeAt(s.length - 1)) ? s : s.trim();
  }

  /** Whether the field is empty or blank (CsvRow.has is false). */
  blank(column: number): boolean {
    const a = this.starts[column] as number;
    const b = this.ends[column] as number;
    return a === b || (!isPrintable(this.text.charCodeAt(a)) && this.text.slice(a, b).trim() === '');
  }

  /**
   * The field as CsvRow.number reads it, or NaN where CsvRow.number would fail. Plain digits are
   * read in place, without a string.
   */
  number(column: number, min: number | undefined, integer: boolean): number {
    const text = this.text;
    const a = this.starts[column] as number;
    const b = this.ends[column] as number;
    // Up to 15 digits: exactly the double Number() gives.
    if (b > a && b - a <= 15) {
      let v = 0;
      let k = a;
      for (; k < b; k++) {
        const d = text.charCodeAt(k) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (k === b) return min !== undefined && v < min ? Number.NaN : v;
    }
    const raw = text.slice(a, b).trim();
    const n = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (min !== undefined && n < min)) return Number.NaN;
    return n;
  }
}

/** A character trim() keeps at the ends of a field: printable ASCII. */
function isPrintable(c: number): boolean {
  return c > 32 && c < 127;
}

export function parseCsv(file: string, text: string): CsvTable {
  let records: string[][];
  try {
    records = splitPlainCsv(text) ?? (parse(text, OPTIONS) as string[][]);
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new CsvError(file, err.lines ?? 0, null, err.message.replace(/^Invalid Record Length: /, ''));
  }
  const header = (records[0] ?? []).map((h) => h.trim());
  if (header.length === 0) throw new CsvError(file, 1, null, 'the file is empty: a header line is required');
  // Line numbers cost a third of the parse, and only an error needs one: parse again to find it.
  let lines: number[] | undefined;
  const table: TableContext = {
    file,
    index: new Map(header.map((h, i) => [h, i])),
    lineOf(record: number): number {
      if (!lines) {
        const found: number[] = [];
        parse(text, {
          ...OPTIONS,
          on_record: (r: string[], context: { lines: number }) => {
            found.push(context.lines);
            return r;
          },
        });
        lines = found;
      }
      return lines[record] ?? record + 1;
    },
  };
  const rows = new Array<CsvRow>(records.length - 1);
  for (let i = 1; i < records.length; i++) rows[i - 1] = new CsvRow(table, records[i] as string[], i);
  return { file, header, rows };
}

/** Fail unless every required column is in the header. */
export function requireColumns(table: CsvTable, required: readonly string[], format: string): void {
  const missing = required.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    throw new CsvError(
      table.file,
      1,
      null,
      `a ${format} file needs the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; the header has ${table.header.join(', ')}`,
    );
  }
}
