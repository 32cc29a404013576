/**
 * The trace readers, each on small CSV texts written to a temporary folder: what they read, that
 * ids and pool names stay strings, submission order, and errors that name file, line and column;
 * and the hand-made split of plain CSV texts against csv-parse.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, InputError, parseCsv, splitPlainCsv } from './csv.js';
import { hasDuplicateId, readPlainGpupool, readTrace, readTraceTable, type TraceFormat, type TraceJob } from './traces.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Write `lines` (joined with newlines) to a fresh file and return its path. */
function file(lines: readonly string[], name = `trace-${n++}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The error `f` throws (failing the test when it throws nothing). */
function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

/** Expect reading `lines` as `format` to fail with a CsvError at `line`, `column`, whose message says `problem`. */
function expectCsvError(format: TraceFormat, lines: readonly string[], line: number, column: string | null, problem: RegExp) {
  const path = file(lines);
  const e = errorOf(() => readTrace(path, format));
  expect(e).toBeInstanceOf(CsvError);
  const c = e as CsvError;
  expect({ file: c.file, line: c.line, column: c.column }).toEqual({ file: path, line, column });
  expect(c.message.startsWith(`${path}:${line}: `)).toBe(true);
  if (column !== null) expect(c.message).toContain(`column '${column}'`);
  expect(c.message).toMatch(problem);
}

const ids = (jobs: readonly TraceJob[]) => jobs.map((j) => j.id);

describe('gpupool format', () => {
  const HEADER = 'job_id,pool,gpus,submit_time,duration';

  it('reads the required columns and defaults the optional ones', () => {
    const jobs = readTrace(file([HEADER, 'a,main,4,10,3600', 'b,main,0,12.5,60.5']), 'gpupool');
    expect(jobs).toEqual([
      {
        id: 'a',
        pool: 'main',
        gpus: 4,
        submit: 10,
        duration: 3600,
        expectedDuration: 3600,
        workers: undefined,
        priority: 0,
        user: undefined,
        kind: 'training',
        gpuType: undefined,
      },
      {
        id: 'b',
        pool: 'main',
        gpus: 0,
        submit: 12.5,
        duration: 60.5,
        expectedDuration: 60.5,
        workers: undefined,
        priority: 0,
        user: undefined,
        kind: 'training',
        gpuType: undefined,
      },
    ]);
  });

  it('is the default format', () => {
    expect(readTrace(file([HEADER, 'a,main,4,10,3600']))[0]?.gpus).toBe(4);
  });

  it('reads the optional columns, in any column order, empty cells meaning absent', () => {
    const jobs = readTrace(
      file([
        'kind,gpu_type,user,priority,workers,expected_duration,duration,submit_time,gpus,pool,job_id',
        'inference,A100-80GB,alice,5,2,100,120,7,8,big,x1',
        ',,,,,,30,8,1,small,x2',
      ]),
      'gpupool',
    );
    expect(jobs[0]).toEqual({
      id: 'x1',
      pool: 'big',
      gpus: 8,
      submit: 7,
      duration: 120,
      expectedDuration: 100,
      workers: 2,
      priority: 5,
      user: 'alice',
      kind: 'inference',
      gpuType: 'A100-80GB',
    });
    expect(jobs[1]).toMatchObject({
      id: 'x2',
      expectedDuration: 30,
      workers: undefined,
      priority: 0,
      user: undefined,
      kind: 'training',
      gpuType: undefined,
    });
  });

  it('accepts negative priorities and every job kind', () => {
    const kinds = ['notebook', 'training', 'preprocessing', 'inference', 'trial', 'pipeline-step'];
    const jobs = readTrace(file([`${HEADER},priority,kind`, ...kinds.map((k, i) => `j${i},p,1,${i},1,-3,${k}`)]), 'gpupool');
    expect(jobs.map((j) => j.kind)).toEqual(kinds);
    expect(jobs.every((j) => j.priority === -3)).toBe(true);
  });

  it('keeps ids and pool names as strings, exactly as written', () => {
    const jobs = readTrace(file([HEADER, '6214e9,103959,1,0,5', '007,0042,1,1,5', '1.50,1e3,1,2,5']), 'gpupool');
    expect(ids(jobs)).toEqual(['6214e9', '007', '1.50']);
    expect(jobs.map((j) => j.pool)).toEqual(['103959', '0042', '1e3']);
    for (const j of jobs) {
      expect(typeof j.id).toBe('string');
      expect(typeof j.pool).toBe('string');
    }
  });

  it('orders jobs by submission time; equal times keep file order', () => {
    const jobs = readTrace(
      file([HEADER, 'late,p,1,20,1', 'c,p,1,5,1', 'a,p,1,5,1', 'early,p,1,0,1', 'b,p,1,5,1', 'mid,p,1,10,1', 'd,p,1,5,1']),
      'gpupool',
    );
    expect(ids(jobs)).toEqual(['early', 'c', 'a', 'b', 'd', 'mid', 'late']);
  });

  it('reads a quoted id with a comma, a BOM, CRLF line ends and blank lines', () => {
    const path = join(dir, 'crlf.csv');
    writeFileSync(path, `\uFEFF${HEADER}\r\n"a,1",p,1,0,5\r\n\r\nb,p,2,1,5\r\n`);
    const jobs = readTrace(path, 'gpupool');
    expect(ids(jobs)).toEqual(['a,1', 'b']);
    expect(jobs[1]?.gpus).toBe(2);
  });

  it('reads a header-only file as an empty trace', () => {
    expect(readTrace(file([HEADER]), 'gpupool')).toEqual([]);
  });

  describe('bad rows name the file, the line and the column', () => {
    it('a GPU count that is not a number', () => {
      expectCsvError('gpupool', [HEADER, 'a,p,1,0,5', 'b,p,x,0,5'], 3, 'gpus', /expected an integer >= 0, got "x"/);
    });
    it('a fractional GPU count', () => {
      expectCsvError('gpupool', [HEADER, 'a,p,1.5,0,5'], 2, 'gpus', /expected an integer >= 0, got "1.5"/);
    });
    it('a negative duration', () => {
      expectCsvError(
        'gpupool',
        [HEADER, 'a,p,1,0,5', 'b,p,1,0,5', 'c,p,1,0,-1'],
        4,
        'duration',
        /expected a number >= 0, got "-1"/,
      );
    });
    it('a negative submission time', () => {
      expectCsvError('gpupool', [HEADER, 'a,p,1,-5,5'], 2, 'submit_time', />= 0, got "-5"/);
    });
    it('a submission time that is not finite', () => {
      expectCsvError('gpupool', [HEADER, 'a,p,1,Infinity,5'], 2, 'submit_time', /got "Infinity"/);
    });
    it('an empty required value', () => {
      expectCsvError('gpupool', [HEADER, 'a,,1,0,5'], 2, 'pool', /a value is required/);
    });
    it('an unknown kind, listing the known ones', () => {
      expectCsvError(
        'gpupool',
        [`${HEADER},kind`, 'a,p,1,0,5,training', 'b,p,1,0,5,batch'],
        3,
        'kind',
        /expected one of notebook, training, .*got "batch"/,
      );
    });
    it('zero workers', () => {
      expectCsvError('gpupool', [`${HEADER},workers`, 'a,p,2,0,5,0'], 2, 'workers', /expected an integer >= 1, got "0"/);
    });
    it('a non-integer priority', () => {
      expectCsvError('gpupool', [`${HEADER},priority`, 'a,p,2,0,5,high'], 2, 'priority', /expected an integer, got "high"/);
    });
    it('a negative expected duration', () => {
      expectCsvError('gpupool', [`${HEADER},expected_duration`, 'a,p,2,0,5,-2'], 2, 'expected_duration', /got "-2"/);
    });
    it('the line counts blank lines before the bad row', () => {
      expectCsvError('gpupool', [HEADER, 'a,p,1,0,5', '', '', 'b,p,oops,0,5'], 5, 'gpus', /got "oops"/);
    });
    it('a row with too few fields names its line', () => {
      expectCsvError('gpupool', [HEADER, 'a,p,1,0,5', 'b,p,1,0'], 3, null, /line 3/);
    });
  });

  it('a missing required column is named, with the header that was found', () => {
    const path = file(['job_id,gpus,submit_time,duration', 'a,1,0,5']);
    const e = errorOf(() => readTrace(path, 'gpupool'));
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).line).toBe(1);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/needs the column pool;/);
    expect(e.message).toContain('the header has job_id, gpus, submit_time, duration');
  });

  it('several missing columns are all named', () => {
    const e = errorOf(() => readTrace(file(['job_id,gpus', 'a,1']), 'gpupool'));
    expect(e.message).toMatch(/needs the columns pool, submit_time, duration/);
  });

  it('an empty file says a header is required', () => {
    const path = join(dir, 'empty.csv');
    writeFileSync(path, '');
    const e = errorOf(() => readTrace(path, 'gpupool'));
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toBe(`${path}:1: the file is empty: a header line is required`);
  });

  it('a missing file is an InputError naming it', () => {
    const path = join(dir, 'no-such-trace.csv');
    const e = errorOf(() => readTrace(path, 'gpupool'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`cannot read ${path}: ENOENT`);
  });

  it('refuses a duplicate job id, naming the file, the id and both lines', () => {
    const path = file([HEADER, 'a,p,1,0,5', 'b,p,1,0,5', '', 'a,p,1,9,5']);
    const e = errorOf(() => readTrace(path, 'gpupool'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(path);
    expect(e.message).toContain("job id 'a' appears twice");
    // The second 'a' is on line 5 of the file (header, a, b, blank, a), the first on line 2.
    expect(e.message).toMatch(/^[^:]+:5: /);
    expect(e.message).toContain('line 2');
  });

  it('ids that differ only as numbers are distinct', () => {
    expect(ids(readTrace(file([HEADER, '7,p,1,0,5', '007,p,1,0,5', '7.0,p,1,0,5']), 'gpupool'))).toEqual(['7', '007', '7.0']);
  });
});

describe('Tiresias format', () => {
  const HEADER = 'job_id,num_gpu,submit_time,iterations,model_name,duration,interval';

  it('reads id, GPUs, submission and duration; the other columns do not matter', () => {
    const jobs = readTrace(file([HEADER, '0,1,0,606,vgg19,164,30', '1,8,30,133,vgg11,147,23']), 'tiresias');
    expect(jobs).toEqual([
      {
        id: '0',
        pool: undefined,
        gpus: 1,
        submit: 0,
        duration: 164,
        expectedDuration: 164,
        workers: undefined,
        priority: 0,
        user: undefined,
        kind: 'training',
        gpuType: undefined,
      },
      {
        id: '1',
        pool: undefined,
        gpus: 8,
        submit: 30,
        duration: 147,
        expectedDuration: 147,
        workers: undefined,
        priority: 0,
        user: undefined,
        kind: 'training',
        gpuType: undefined,
      },
    ]);
  });

  it('needs only job_id, num_gpu, submit_time and duration', () => {
    expect(readTrace(file(['duration,submit_time,num_gpu,job_id', '5,1,2,007']), 'tiresias')).toMatchObject([
      { id: '007', gpus: 2, submit: 1, duration: 5 },
    ]);
  });

  it('keeps ids as strings and equal submission times in file order', () => {
    const jobs = readTrace(
      file([HEADER, '6214e9,1,5,1,m,10,1', '007,1,0,1,m,10,1', '103959,1,5,1,m,10,1', '2,1,5,1,m,10,1']),
      'tiresias',
    );
    expect(ids(jobs)).toEqual(['007', '6214e9', '103959', '2']);
  });

  it('names the file, line and column of a bad value', () => {
    expectCsvError('tiresias', [HEADER, '0,1,0,606,vgg19,164,30', '1,x,30,133,vgg11,147,23'], 3, 'num_gpu', /got "x"/);
    expectCsvError('tiresias', [HEADER, '0,1,0,606,vgg19,-164,30'], 2, 'duration', /expected a number >= 0, got "-164"/);
  });

  it('names a missing required column', () => {
    const e = errorOf(() => readTrace(file(['job_id,submit_time,duration', '0,0,5']), 'tiresias'));
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toMatch(/Tiresias trace file needs the column num_gpu;/);
  });

  it('refuses a duplicate job id', () => {
    const path = file([HEADER, '3,1,0,1,m,10,1', '3,1,5,1,m,10,1']);
    const e = errorOf(() => readTrace(path, 'tiresias'));
    expect(e.message).toContain(path);
    expect(e.message).toContain("job id '3' appears twice");
  });
});

describe('Philly format (Pollux artifact)', () => {
  const HEADER = 'timestamp,duration,num_gpus,gpu_time,cluster';

  it('makes submission times relative to the earliest job, wherever it is in the file', () => {
    const jobs = readTrace(
      file([
        HEADER,
        '2017-10-09 07:01:55,3600,4,14400,103959',
        '2017-10-09 07:00:00,60,1,60,6214e9',
        '2017-10-10 07:00:01,10,8,80,103959',
      ]),
      'philly',
    );
    expect(jobs.map((j) => ({ id: j.id, submit: j.submit, pool: j.pool, gpus: j.gpus, duration: j.duration }))).toEqual([
      { id: '1', submit: 0, pool: '6214e9', gpus: 1, duration: 60 },
      { id: '0', submit: 115, pool: '103959', gpus: 4, duration: 3600 },
      { id: '2', submit: 86401, pool: '103959', gpus: 8, duration: 10 },
    ]);
    for (const j of jobs) expect(typeof j.pool).toBe('string');
  });

  it('numbers jobs by file row and keeps equal timestamps in file order', () => {
    const jobs = readTrace(
      file([
        HEADER,
        '2017-10-09 07:01:55,1,1,1,a',
        '2017-10-09 07:01:55,1,1,1,b',
        '2017-10-09 07:00:00,1,1,1,c',
        '2017-10-09 07:01:55,1,1,1,d',
      ]),
      'philly',
    );
    expect(ids(jobs)).toEqual(['2', '0', '1', '3']);
    expect(jobs.map((j) => j.pool)).toEqual(['c', 'a', 'b', 'd']);
    expect(jobs.map((j) => j.submit)).toEqual([0, 115, 115, 115]);
  });

  it('reads fractional durations and an ISO "T" separator', () => {
    const jobs = readTrace(file([HEADER, '2017-10-09T00:00:00,12.5,2,25,c', '2017-10-09 00:00:10,1,2,2,c']), 'philly');
    expect(jobs.map((j) => [j.submit, j.duration])).toEqual([
      [0, 12.5],
      [10, 1],
    ]);
  });

  it('names the file, line and column of a bad timestamp or value', () => {
    expectCsvError(
      'philly',
      [HEADER, '2017-10-09 07:01:55,1,1,1,c', 'yesterday,1,1,1,c'],
      3,
      'timestamp',
      /expected a time like "2017-10-09 07:01:55", got "yesterday"/,
    );
    expectCsvError('philly', [HEADER, '2017-10-09 07:01:55,1,two,1,c'], 2, 'num_gpus', /got "two"/);
    expectCsvError('philly', [HEADER, '2017-10-09 07:01:55,-1,1,1,c'], 2, 'duration', /got "-1"/);
    expectCsvError('philly', [HEADER, '2017-10-09 07:01:55,1,1,1,'], 2, 'cluster', /a value is required/);
  });

  it('names a missing required column', () => {
    const e = errorOf(() => readTrace(file(['timestamp,duration,gpu_time,cluster', '2017-10-09 07:01:55,1,1,c']), 'philly'));
    expect(e.message).toMatch(/Philly trace file needs the column num_gpus;/);
  });
});

describe('Helios format (cluster_log.csv)', () => {
  const HEADER = 'job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue';

  it('reads vc as the pool, the user, GPUs, and submission times relative to the earliest job', () => {
    const jobs = readTrace(
      file([
        HEADER,
        '6214e9,u1,vcA,8,48,1,COMPLETED,2020-04-01 00:01:00,2020-04-01 00:02:00,2020-04-01 01:02:00,3600,60',
        '007,u2,0042,0,4,1,FAILED,2020-04-01 00:00:30,2020-04-01 00:00:31,2020-04-01 00:00:41,10,1',
        '103959,,vcA,2,8,1,CANCELLED,2020-04-01 00:01:00,2020-04-01 00:01:05,2020-04-01 00:01:06,1,5',
      ]),
      'helios',
    );
    expect(
      jobs.map((j) => ({ id: j.id, pool: j.pool, user: j.user, gpus: j.gpus, submit: j.submit, duration: j.duration })),
    ).toEqual([
      { id: '007', pool: '0042', user: 'u2', gpus: 0, submit: 0, duration: 10 },
      { id: '6214e9', pool: 'vcA', user: 'u1', gpus: 8, submit: 30, duration: 3600 },
      { id: '103959', pool: 'vcA', user: undefined, gpus: 2, submit: 30, duration: 1 },
    ]);
  });

  it('names the file, line and column of a bad value', () => {
    expectCsvError('helios', [HEADER, 'j1,u,vc,x,1,1,COMPLETED,2020-04-01 00:00:00,,,5,0'], 2, 'gpu_num', /got "x"/);
    expectCsvError('helios', [HEADER, 'j1,u,,1,1,1,COMPLETED,2020-04-01 00:00:00,,,5,0'], 2, 'vc', /a value is required/);
    expectCsvError('helios', [HEADER, 'j1,u,vc,1,1,1,COMPLETED,2020-04-01 00:00:00,,,-5,0'], 2, 'duration', /got "-5"/);
    expectCsvError('helios', [HEADER, 'j1,u,vc,1,1,1,COMPLETED,2020-04-01,,,5,0'], 2, 'submit_time', /got "2020-04-01"/);
  });

  it('refuses a time that does not exist instead of rolling it over into another day', () => {
    const ok = 'j0,u,vc,1,1,1,COMPLETED,2020-04-01 00:00:00,,,5,0';
    expectCsvError(
      'helios',
      [HEADER, ok, 'j1,u,vc,1,1,1,COMPLETED,2020-13-01 00:00:00,,,5,0'],
      3,
      'submit_time',
      /got "2020-13-01 00:00:00"/,
    );
    expectCsvError(
      'helios',
      [HEADER, ok, 'j1,u,vc,1,1,1,COMPLETED,2020-02-30 00:00:00,,,5,0'],
      3,
      'submit_time',
      /got "2020-02-30 00:00:00"/,
    );
    expectCsvError(
      'helios',
      [HEADER, ok, 'j1,u,vc,1,1,1,COMPLETED,2020-04-01 24:00:00,,,5,0'],
      3,
      'submit_time',
      /got "2020-04-01 24:00:00"/,
    );
    expectCsvError(
      'helios',
      [HEADER, ok, 'j1,u,vc,1,1,1,COMPLETED,2020-04-01 10:61:00,,,5,0'],
      3,
      'submit_time',
      /got "2020-04-01 10:61:00"/,
    );
    // A leap day is a real day.
    expect(
      readTrace(
        file([HEADER, 'j0,u,vc,1,1,1,COMPLETED,2020-02-28 00:00:00,,,5,0', 'j1,u,vc,1,1,1,COMPLETED,2020-02-29 00:00:00,,,5,0']),
        'helios',
      ).map((j) => j.submit),
    ).toEqual([0, 86400]);
  });

  it('names a missing required column', () => {
    const e = errorOf(() =>
      readTrace(file(['job_id,user,gpu_num,submit_time,duration', 'j,u,1,2020-04-01 00:00:00,5']), 'helios'),
    );
    expect(e.message).toMatch(/Helios cluster log file needs the column vc;/);
  });

  it('refuses a duplicate job id', () => {
    const path = file([
      HEADER,
      'j1,u,vc,1,1,1,COMPLETED,2020-04-01 00:00:00,,,5,0',
      'j1,u,vc,1,1,1,COMPLETED,2020-04-01 00:00:09,,,5,0',
    ]);
    const e = errorOf(() => readTrace(path, 'helios'));
    expect(e.message).toContain(path);
    expect(e.message).toContain("job id 'j1' appears twice");
  });
});

describe('plain CSV texts are split by hand, as csv-parse splits them', () => {
  it('gives the same records as csv-parse on texts without quotes or carriage returns', () => {
    // Short texts of commas, line feeds, spaces, a byte-order mark and letters: empty lines, empty
    // fields, ragged records (handed back to csv-parse) and blank-looking lines all turn up.
    const text = fc
      .array(fc.constantFrom('a', 'b', '1', ',', ',', '\n', '\n', ' ', '\t'), { maxLength: 40 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.boolean(), text, (bom, t) => {
        const input = bom ? `\uFEFF${t}` : t;
        const mine = splitPlainCsv(input);
        let theirs: string[][] | Error;
        try {
          theirs = parse(input, { skip_empty_lines: true, bom: true }) as string[][];
        } catch (e) {
          theirs = e as Error;
        }
        if (mine === undefined) expect(theirs).toBeInstanceOf(Error);
        else expect(mine).toEqual(theirs);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves texts with quotes or carriage returns to csv-parse', () => {
    expect(splitPlainCsv('a,b\n"x,y",2\n')).toBeUndefined();
    expect(splitPlainCsv('a,b\r\n1,2\r\n')).toBeUndefined();
    expect(splitPlainCsv('a,b\n1,2\n\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });
});

describe('a plain gpupool trace is read from its text, as from its table', () => {
  const COLUMNS = [
    'job_id',
    'pool',
    'gpus',
    'submit_time',
    'duration',
    'expected_duration',
    'workers',
    'priority',
    'user',
    'kind',
    'gpu_type',
    'note',
  ];
  // Values each reader must read alike or refuse alike: blanks, padding, leading zeros, decimals,
  // exponents, hex, signs, 15 and 16 digits, words, a non-ASCII space, the job kinds.
  const VALUE = fc.constantFrom(
    '',
    ' ',
    '0',
    '1',
    '7',
    '007',
    ' 5 ',
    '\t8',
    '\u00a09',
    '12.5',
    '-3',
    '-0',
    '1e3',
    '0x10',
    '+4',
    'abc',
    'Infinity',
    '123456789012345',
    '9999999999999999',
    'training',
    'inference',
    'bogus',
    'p0',
    'j1',
    'j2',
  );
  /** A value the column takes, most of the time; any value otherwise. */
  const GOOD: Record<string, readonly string[]> = {
    job_id: ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'a long job id, 24 chars'.replace(/[ ,]/g, '-')],
    pool: ['p0', 'p1', ' p2 '],
    user: ['alice', 'bob', ''],
    kind: ['training', 'inference', 'notebook', ''],
    gpu_type: ['A100', ''],
    note: ['x', ''],
  };
  const INTEGERS = ['1', '7', '007', ' 5 ', '1e3', '123456789012345'];
  const NUMBERS = [...INTEGERS, '0', '12.5'];
  Object.assign(GOOD, {
    gpus: [...INTEGERS, '0'],
    submit_time: NUMBERS,
    duration: NUMBERS,
    expected_duration: [...NUMBERS, ''],
    workers: [...INTEGERS, ''],
    priority: [...INTEGERS, '-3', ''],
  });
  const cell = (column: string) =>
    fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...(GOOD[column] as string[])) }, { weight: 1, arbitrary: VALUE });
  const REQUIRED = COLUMNS.slice(0, 5);
  const trace = fc
    .record({
      columns: fc
        .tuple(
          fc.subarray(COLUMNS.slice(5)),
          fc.oneof(
            { weight: 9, arbitrary: fc.constant(REQUIRED) },
            { weight: 1, arbitrary: fc.subarray(REQUIRED, { minLength: 4 }) },
          ),
        )
        .chain(([optional, required]) =>
          fc.shuffledSubarray([...required, ...optional], { minLength: required.length + optional.length }),
        ),
      rows: fc.array(fc.tuple(...COLUMNS.map(cell)), { maxLength: 6 }),
      ragged: fc.oneof(
        { weight: 9, arbitrary: fc.constant<number[]>([]) },
        { weight: 1, arbitrary: fc.array(fc.nat(5), { maxLength: 1 }) },
      ),
      blankLines: fc.array(fc.nat(8), { maxLength: 2 }),
      bom: fc.boolean(),
    })
    .map(({ columns, rows, ragged, blankLines, bom }) => {
      const line = (r: readonly string[], i: number) => {
        const fields = columns.map((c) => r[COLUMNS.indexOf(c)] as string);
        return (ragged.includes(i) ? fields.slice(1) : fields).join(',');
      };
      const lines = [columns.join(','), ...rows.map(line)];
      for (const at of blankLines) lines.splice(Math.min(at, lines.length), 0, '');
      return `${bom ? '\uFEFF' : ''}${lines.join('\n')}\n`;
    });

  /** The table's jobs, or its error's message. */
  function fromTable(text: string): TraceJob[] | string {
    try {
      return readTraceTable(parseCsv('t.csv', text), 'gpupool');
    } catch (e) {
      return (e as Error).message;
    }
  }

  it('gives the same jobs, keyed alike, and leaves every text the table refuses to it', () => {
    const seen = { refused: 0, duplicate: 0, read: 0, empty: 0 };
    fc.assert(
      fc.property(trace, (text) => {
        const plain = readPlainGpupool(text);
        const table = fromTable(text);
        seen[plain === undefined ? 'refused' : typeof table === 'string' ? 'duplicate' : table.length > 0 ? 'read' : 'empty']++;
        if (plain === undefined) {
          expect(typeof table).toBe('string');
        } else if (hasDuplicateId(plain)) {
          expect(table).toMatch(/appears twice/);
        } else {
          expect(plain).toEqual(table);
          expect(plain.map((j) => Object.keys(j))).toEqual((table as TraceJob[]).map((j) => Object.keys(j)));
        }
      }),
      { numRuns: 3000 },
    );
    // Every case turns up often: the generator makes mostly readable traces.
    expect(Math.min(...Object.values(seen))).toBeGreaterThan(100);
  });

  it('finds a duplicate id among many, and none among distinct ones', () => {
    const jobs = Array.from({ length: 5000 }, (_, i) => ({ id: `j${i}` }) as TraceJob);
    expect(hasDuplicateId(jobs)).toBe(false);
    expect(hasDuplicateId([...jobs, { id: 'j4321' } as TraceJob])).toBe(true);
    expect(hasDuplicateId([{ id: '' } as TraceJob, { id: '' } as TraceJob])).toBe(true);
    expect(hasDuplicateId([])).toBe(false);
  });

  it('reads a trace without a final line feed, and names a bad row of a plain trace as the table does', () => {
    expect(readPlainGpupool('job_id,pool,gpus,submit_time,duration\na,p,1,0,5')?.map((j) => j.id)).toEqual(['a']);
    expectCsvError(
      'gpupool',
      ['job_id,pool,gpus,submit_time,duration', '', 'a,p,1,0,5', 'b,p,x,1,5'],
      4,
      'gpus',
      /expected an integer >= 0, got "x"/,
    );
  });
});
