/**
 * Reader for the Tiresias trace format (SymbioticLab/Tiresias, `simulator/*_job.csv`):
 * `job_id,num_gpu,submit_time,iterations,model_name,duration,interval`, integer seconds. Only
 * the id, GPU count, submission time and duration matter for GPU-count scheduling.
 */
import type { WorkloadJob } from './instant-driver.js';

/** Rows of a headed CSV (no quoting: trace files carry plain numbers and names) as records. */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new Error(`line ${i + 2}: ${cells.length} fields, the header names ${header.length}`);
    }
    return Object.fromEntries(header.map((h, k) => [h, (cells[k] as string).trim()]));
  });
}

function field(row: Record<string, string>, name: string, line: number): number {
  const raw = row[name];
  const n = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(n)) throw new Error(`line ${line}: ${name} is not a number: '${raw}'`);
  return n;
}

/** Jobs of a Tiresias trace, in file order. */
export function readTiresiasTrace(text: string): WorkloadJob[] {
  return parseCsv(text).map((row, i) => ({
    id: row.job_id ?? String(i),
    gpus: field(row, 'num_gpu', i + 2),
    submit: field(row, 'submit_time', i + 2),
    duration: field(row, 'duration', i + 2),
  }));
}
