import { describe, expect, it } from 'vitest';
import { bytesField, event, file, key, record, simple, tensor, text, varint } from './test-support/tfevent-file.js';
import { collectTfEvents, maskedCrc32c, readTfRecords, shortestFloat32 } from './tfevent.js';

// Event files written byte by byte (test-support/tfevent-file.ts): the protobuf wire format
// encoded by hand, not by the library the reader uses.

describe('TFRecord framing', () => {
  it('masks CRC32C as TensorFlow does: the first 12 bytes of every event file (a 24-byte version event) are known', () => {
    // The header that starts every tfevents file: length 24 and its masked CRC, 0x224b7fa3, little endian.
    const header = new Uint8Array([24, 0, 0, 0, 0, 0, 0, 0]);
    expect(maskedCrc32c(header)).toBe(0x224b7fa3);
    const first = file(event(1700000000.5, 0, [], 'brain.Event:2'));
    expect([...first.subarray(0, 12)]).toEqual([24, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22]);
  });

  it('reads every record, and stops at a checksum that does not match or a record cut short', () => {
    const bytes = file(event(1, 0), event(2, 1), event(3, 2));
    expect(readTfRecords(bytes).records).toHaveLength(3);
    const corrupt = bytes.slice();
    corrupt[bytes.length - 6] = (corrupt[bytes.length - 6] as number) ^ 0xff; // in the last record's data
    expect(readTfRecords(corrupt)).toMatchObject({ records: { length: 2 }, error: { record: 3, reason: /data's checksum/ } });
    expect(readTfRecords(bytes.subarray(0, bytes.length - 3))).toMatchObject({ error: { record: 3, reason: /cut short/ } });
    expect(readTfRecords(new Uint8Array())).toEqual({ records: [], error: null });
  });
});

describe('collectTfEvents', () => {
  it('reads TF1 simple values and TF2 scalar tensors (float, double, as content or as values), each at its wall time', () => {
    const bytes = file(
      event(1700000000, 0, [], 'brain.Event:2'),
      event(1700000001, 1, [simple('accuracy', 0.5), simple('loss', 1.25)]),
      event(1700000002, 2, [tensor('accuracy', 1, 0.75)]),
      event(1700000003, 3, [tensor('accuracy', 2, 0.875, 'val'), tensor('loss', 1, 0.5, 'val')]),
      event(1700000004, 4, [tensor('accuracy', 2, 0.9375, 'content', [1])]),
    );
    const out = collectTfEvents([{ path: 'events.out.tfevents.1700000000.trial', bytes }], ['accuracy', 'loss']);
    expect(out.skipped).toEqual([]);
    expect(out.points).toEqual([
      { name: 'accuracy', value: 0.5, step: 0, at: 1700000001 },
      { name: 'loss', value: 1.25, step: 0, at: 1700000001 },
      { name: 'accuracy', value: 0.75, step: 1, at: 1700000002 },
      { name: 'accuracy', value: 0.875, step: 2, at: 1700000003 },
      { name: 'loss', value: 0.5, step: 1, at: 1700000003 },
      { name: 'accuracy', value: 0.9375, step: 3, at: 1700000004 },
    ]);
  });

  it('takes a tag as it is (not loss_scale for loss), and dir/tag from an event file in that directory', () => {
    const train = file(event(10, 1, [simple('accuracy', 0.6), simple('loss_scale', 128)]));
    const test = file(event(11, 1, [simple('accuracy', 0.7)]));
    const out = collectTfEvents(
      [
        { path: 'train/events.out.tfevents.1', bytes: train },
        { path: 'run1/test/events.out.tfevents.2', bytes: test },
      ],
      ['loss', 'test/accuracy', 'accuracy'],
    );
    expect(out.points).toEqual([
      { name: 'accuracy', value: 0.6, step: 0, at: 10 },
      { name: 'test/accuracy', value: 0.7, step: 0, at: 11 },
      { name: 'accuracy', value: 0.7, step: 1, at: 11 },
    ]);
  });

  it('skips what is not a finite scalar, and the rest of a file after a broken record, naming file and record', () => {
    const good = file(
      event(1, 0, [tensor('loss', 1, Number.NaN)]),
      event(2, 1, [tensor('loss', 1, 0.5, 'content', [2])]),
      event(3, 2, [[...bytesField(1, text('loss')), ...bytesField(8, [...key(1, 0), ...varint(3)])]]),
      event(4, 3, [simple('loss', 0.25)]),
    );
    const broken = new Uint8Array([...record(event(5, 0, [simple('loss', 0.125)])), 1, 2, 3]);
    const out = collectTfEvents(
      [
        { path: 'a/events.out.tfevents.1', bytes: good },
        { path: 'b/events.out.tfevents.2', bytes: broken },
      ],
      ['loss'],
    );
    expect(out.points).toEqual([
      { name: 'loss', value: 0.25, step: 0, at: 4 },
      { name: 'loss', value: 0.125, step: 1, at: 5 },
    ]);
    expect(out.skipped).toEqual([
      { file: 'a/events.out.tfevents.1', line: 1, reason: 'loss: NaN is not finite' },
      { file: 'a/events.out.tfevents.1', line: 2, reason: 'loss: a tensor of 2 values, not a scalar' },
      { file: 'a/events.out.tfevents.1', line: 3, reason: 'loss: a tensor of dtype 3, not a float' },
      { file: 'b/events.out.tfevents.2', line: 2, reason: 'the record is cut short (its header)' },
    ]);
  });
});

describe('shortestFloat32', () => {
  it('gives the shortest decimal of a float32, as numpy prints it', () => {
    expect([0.1, 0.6, 1e-7, 123.456, 3.4028234663852886e38].map((x) => shortestFloat32(Math.fround(x)))).toEqual([
      0.1, 0.6, 1e-7, 123.456, 3.4028235e38,
    ]);
    expect(shortestFloat32(Math.fround(1 / 3))).toBe(0.33333334);
  });
});
