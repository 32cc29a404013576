/**
 * Metrics read from TensorFlow event files, as Katib's TensorFlowEvent collector reads them
 * (cmd/metricscollector/v1beta1/tfevent-metricscollector): the scalars a trial wrote with
 * `tf.summary.scalar` (TF2: a tensor value) or a TF1 `Summary` (a `simple_value`).
 *
 * An event file is a sequence of TFRecords (tensorflow/core/lib/io/record_writer.cc):
 *
 *   uint64 length (little endian) | uint32 masked CRC32C of those 8 bytes | data | uint32 masked CRC32C of data
 *
 * with mask(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8, and each record's data a serialized
 * `tensorflow.Event` (tensorflow/core/util/event.proto). Only what metrics need is declared below
 * (wall_time, step, summary.value[].tag, simple_value and the scalar tensor); protobufjs skips the
 * other fields. A record whose checksum does not match, or that is cut short, is reported as
 * skipped and the file is read no further (its length can no longer be trusted); a value that is
 * not a finite scalar is skipped with its record's number.
 *
 * Which values are a metric's: a tag equal to the metric's name, or, for a name written
 * `dir/tag` (as Katib allows: `train/accuracy`), the tag `tag` in an event file whose directory
 * (relative to the collector's directory) ends with `dir`. Katib takes every tag that *starts
 * with* the name (so `loss` would also take `loss_scale`); gpupool wants the tag itself.
 *
 * Pure: the caller reads the files (on Kubernetes, the metrics-collector sidecar prints them,
 * adapters/k8s/metrics-sidecar.ts); points come in the order of the files as given, then of the
 * records, and each metric's are stepped 0, 1, 2... as the text collectors step theirs, each at
 * its event's wall time.
 */
import crc32c from 'crc-32/crc32c.js';
import protobuf from 'protobufjs';
import type { MetricPointInput } from '../assets/metrics.js';
import type { CollectedMetrics, SkippedLine } from './metrics-collector.js';

/** One event file: its path relative to the collector's directory, and its bytes. */
export interface TfEventFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A skipped record: its file, its 1-based record number (0: the file itself), and why. */
export interface SkippedRecord extends SkippedLine {
  readonly file: string;
}

export interface CollectedTfEvents extends CollectedMetrics {
  readonly skipped: SkippedRecord[];
}

const MASK_DELTA = 0xa282ead8;

/** TFRecord's masked CRC32C (tensorflow/core/lib/hash/crc32c.h, Mask). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c.buf(bytes, 0) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

// The part of tensorflow/core/util/event.proto, summary.proto and tensor.proto that metrics need.
const root = protobuf.Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        Event: {
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simpleValue', 'tensor'] } },
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
                tensor: { type: 'TensorProto', id: 8 },
              },
            },
          },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensorShape: { type: 'TensorShapeProto', id: 2 },
            tensorContent: { type: 'bytes', id: 4 },
            halfVal: { rule: 'repeated', type: 'int32', id: 13 },
            floatVal: { rule: 'repeated', type: 'float', id: 5 },
            doubleVal: { rule: 'repeated', type: 'double', id: 6 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 } } } },
        },
      },
    },
  },
});
const EventType = root.lookupType('tensorflow.Event');

interface DecodedTensor {
  dtype?: number;
  tensorShape?: { dim?: { size?: number }[] };
  tensorContent?: Uint8Array;
  halfVal?: number[];
  floatVal?: number[];
  doubleVal?: number[];
}
interface DecodedEvent {
  wallTime?: number;
  step?: number;
  summary?: { value?: { tag?: string; simpleValue?: number; tensor?: DecodedTensor; value?: string }[] };
}

/**
 * A float32's shortest decimal that reads back as the same float32, as numpy prints it (and so
 * Katib reports it): 0.6, not 0.6000000238418579.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p < 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

/** tensorflow/core/framework/types.proto */
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_HALF = 19;

/** IEEE 754 half precision, as TensorFlow stores DT_HALF in `half_val` (the low 16 bits). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A scalar tensor's value (float, double or half), or why it is not one. */
function tensorScalar(t: DecodedTensor): number | string {
  const elements = (t.tensorShape?.dim ?? []).reduce((n, d) => n * Number(d.size ?? 0), 1);
  if (elements !== 1) return `a tensor of ${elements} values, not a scalar`;
  const content = t.tensorContent;
  const view = content && content.length > 0 ? new DataView(content.buffer, content.byteOffset, content.byteLength) : null;
  switch (t.dtype) {
    case DT_FLOAT:
      if (t.floatVal?.length) return shortestFloat32(t.floatVal[0] as number);
      if (view && view.byteLength >= 4) return shortestFloat32(view.getFloat32(0, true));
      break;
    case DT_DOUBLE:
      if (t.doubleVal?.length) return t.doubleVal[0] as number;
      if (view && view.byteLength >= 8) return view.getFloat64(0, true);
      break;
    case DT_HALF:
      if (t.halfVal?.length) return halfToNumber(t.halfVal[0] as number);
      if (view && view.byteLength >= 2) return halfToNumber(view.getUint16(0, true));
      break;
    default:
      return `a tensor of dtype ${t.dtype ?? 0}, not a float`;
  }
  return 'a tensor without its value';
}

/** The records of one event file, or where they stop being readable. */
export function readTfRecords(bytes: Uint8Array): { records: Uint8Array[]; error: { record: number; reason: string } | null } {
  const records: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    const record = records.length + 1;
    if (bytes.length - at < 12) return { records, error: { record, reason: 'the record is cut short (its header)' } };
    const header = bytes.subarray(at, at + 8);
    if (view.getUint32(at + 8, true) !== maskedCrc32c(header))
      return { records, error: { record, reason: "its length's checksum does not match" } };
    const length = view.getBigUint64(at, true);
    if (length > BigInt(bytes.length - at - 16)) return { records, error: { record, reason: 'the record is cut short' } };
    const start = at + 12;
    const data = bytes.subarray(start, start + Number(length));
    if (view.getUint32(start + data.length, true) !== maskedCrc32c(data))
      return { records, error: { record, reason: "its data's checksum does not match" } };
    records.push(data);
    at = start + data.length + 4;
  }
  return { records, error: null };
}

/** Whether the tag of a value in `file` is the metric `name`'s (see the header). */
function tagMatches(name: string, tag: string, file: string): boolean {
  if (tag === name) return true;
  const slash = name.lastIndexOf('/');
  if (slash <= 0 || tag !== name.slice(slash + 1)) return false;
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const want = name.slice(0, slash);
  return dir === want || dir.endsWith(`/${want}`);
}

/** The metrics named in `metricNames` that the event files hold. */
export function collectTfEvents(files: readonly TfEventFile[], metricNames: readonly string[]): CollectedTfEvents {
  const points: MetricPointInput[] = [];
  const skipped: SkippedRecord[] = [];
  const steps = new Map<string, number>();
  const names = [...new Set(metricNames)];
  for (const f of files) {
    const { records, error } = readTfRecords(f.bytes);
    records.forEach((data, i) => {
      let event: DecodedEvent;
      try {
        event = EventType.toObject(EventType.decode(data), { longs: Number, oneofs: true }) as DecodedEvent;
      } catch (e) {
        skipped.push({ file: f.path, line: i + 1, reason: `not a tensorflow.Event: ${(e as Error).message}` });
        return;
      }
      for (const v of event.summary?.value ?? []) {
        const tag = v.tag ?? '';
        for (const name of names) {
          if (!tagMatches(name, tag, f.path)) continue;
          const value =
            v.value === 'simpleValue'
              ? shortestFloat32(v.simpleValue ?? 0)
              : v.value === 'tensor' && v.tensor
                ? tensorScalar(v.tensor)
                : 'no value';
          if (typeof value === 'string') {
            skipped.push({ file: f.path, line: i + 1, reason: `${name}: ${value}` });
          } else if (!Number.isFinite(value)) {
            skipped.push({ file: f.path, line: i + 1, reason: `${name}: ${value} is not finite` });
          } else {
            const step = steps.get(name) ?? 0;
            steps.set(name, step + 1);
            const at = event.wallTime;
            points.push(at !== undefined && Number.isFinite(at) && at >= 0 ? { name, value, step, at } : { name, value, step });
          }
        }
      }
    });
    if (error) skipped.push({ file: f.path, line: error.record, reason: error.reason });
  }
  return { points, skipped };
}
