/**
 * TensorFlow event files written byte by byte, as TensorFlow's RecordWriter and EventsWriter lay
 * them out, for tests: the protobuf wire format encoded by hand here (not by the library the reader
 * uses), each record framed with its length, the masked CRC32C of the length, the data and the
 * masked CRC32C of the data.
 */
import { maskedCrc32c } from '../tfevent.js';

export const varint = (n: number | bigint): number[] => {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
};
export const key = (field: number, wire: number) => varint((field << 3) | wire);
const f64 = (x: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return [...b];
};
const f32 = (x: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return [...b];
};
export const bytesField = (field: number, content: number[]) => [...key(field, 2), ...varint(content.length), ...content];
export const text = (s: string) => [...new TextEncoder().encode(s)];

/** tensorflow.Event { wall_time = 1; step = 2; file_version = 3; summary = 5 }. */
export function event(wallTime: number, step: number, values: number[][] = [], fileVersion?: string): number[] {
  // proto3 leaves a field at its default out, as TensorFlow writes step 0.
  const out = [...key(1, 1), ...f64(wallTime), ...(step === 0 ? [] : [...key(2, 0), ...varint(step)])];
  if (fileVersion !== undefined) out.push(...bytesField(3, text(fileVersion)));
  if (values.length > 0)
    out.push(
      ...bytesField(
        5,
        values.flatMap((v) => bytesField(1, v)),
      ),
    );
  return out;
}
/** Summary.Value { tag = 1; simple_value = 2 } (TF1's tf.summary.scalar). */
export const simple = (tag: string, x: number) => [...bytesField(1, text(tag)), ...key(2, 5), ...f32(x)];
/** Summary.Value { tag = 1; tensor = 8 } with a scalar TensorProto (TF2's tf.summary.scalar). */
export function tensor(
  tag: string,
  dtype: 1 | 2 | 19,
  x: number,
  how: 'val' | 'content' = 'content',
  shape: number[] = [],
): number[] {
  const t: number[] = [...key(1, 0), ...varint(dtype)];
  if (shape.length > 0)
    t.push(
      ...bytesField(
        2,
        shape.flatMap((size) => bytesField(2, [...key(1, 0), ...varint(size)])),
      ),
    );
  if (how === 'content') t.push(...bytesField(4, dtype === 1 ? f32(x) : f64(x)));
  else if (dtype === 1) t.push(...bytesField(5, f32(x)));
  else t.push(...bytesField(6, f64(x)));
  return [...bytesField(1, text(tag)), ...bytesField(8, t)];
}
/** A TFRecord around `data`. */
export function record(data: number[]): number[] {
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(data.length), true);
  const crc = (b: Uint8Array) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, maskedCrc32c(b), true);
    return [...out];
  };
  return [...length, ...crc(length), ...data, ...crc(new Uint8Array(data))];
}
export const file = (...events: number[][]) => new Uint8Array(events.flatMap(record));

/** An event file of scalars: one event per entry, each metric a TF2 scalar tensor (float32). */
export function scalarsFile(events: readonly { wallTime: number; step: number; scalars: Record<string, number> }[]): Uint8Array {
  return file(
    event(events[0]?.wallTime ?? 0, 0, [], 'brain.Event:2'),
    ...events.map((e) =>
      event(
        e.wallTime,
        e.step,
        Object.entries(e.scalars).map(([tag, x]) => tensor(tag, 1, x)),
      ),
    ),
  );
}
