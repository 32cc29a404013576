/**
 * The io-ts codecs at the edges (design 3): decodeCommand for what arrives, decodeEvent for what a
 * store hands back. A failure names the field path; unknown fields are stripped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardOf } from '../codec.js';
import { runBatch } from './batch.js';
import { commandCodecs, decodeCommand } from './commands.js';
import { decodeEvent, EVENT_TYPES, type Event, eventCodecs } from './events.js';
import { initialState } from './evolve.js';
import { scenarioArb } from './test-support/arbitraries.js';
import { cluster, completed, loseNode, registerNode, submit } from './test-support/given.js';

const NAME =
  'a non-empty string of at most 253 characters of well-formed Unicode, without control, bidi-control or zero-width characters';
/** Events keep the laxer rule, so that logs written before the stricter one still load. */
const EVENT_NAME = 'a non-empty string of at most 253 characters without control characters';

describe('decodeCommand', () => {
  it('decodes a valid command to itself', () => {
    const cmd = {
      type: 'SubmitJob',
      jobId: 'j',
      kind: 'training',
      owner: 'u',
      gpus: 4,
      workers: 2,
      tags: ['a'],
      spec: { image: 'x', args: [1, null, true] },
      commandId: 'c-1',
      at: 12.5,
    };
    expect(decodeCommand(cmd)).toEqual({ ok: true, value: cmd });
  });

  it('names the field path of a bad field: SubmitJob.gpus', () => {
    const r = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: 'u', gpus: -1 });
    expect(r).toEqual({
      ok: false,
      issues: [{ path: 'SubmitJob.gpus', expected: 'an integer >= 0', actual: '-1' }],
      message: 'SubmitJob.gpus: expected an integer >= 0, got -1',
    });
  });

  it('says a missing field got nothing', () => {
    const r = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'training', gpus: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`SubmitJob.owner: expected ${NAME}, got nothing`);
  });

  it('names the index of a bad element inside an array', () => {
    const r = decodeCommand({
      type: 'RegisterNode',
      nodeId: 'n',
      devices: [
        { index: 0, gpuType: 'A' },
        { index: 'a', gpuType: 'A' },
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('RegisterNode.devices.1.index: expected an integer >= 0, got "a"');
  });

  it('reports every bad field at once', () => {
    const r = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'x', gpus: 1.5 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['SubmitJob.kind', 'SubmitJob.owner', 'SubmitJob.gpus']);
  });

  it('lists the allowed values of an enumeration', () => {
    const r = decodeCommand({ type: 'CreatePool', poolId: 'p', name: 'p', gpuType: 'A', policy: 'lifo' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('CreatePool.policy: expected one of fifo, sjf, first-fit, backfill, got "lifo"');
  });

  it('checks the envelope fields commandId and at', () => {
    const r = decodeCommand({ type: 'StopJob', jobId: 'j', commandId: '', at: -1 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => [i.path, i.expected])).toEqual([
        ['StopJob.commandId', NAME],
        ['StopJob.at', 'a number >= 0'],
      ]);
  });

  it('refuses names with control characters, and names longer than 253 characters', () => {
    const bad = decodeCommand({ type: 'StopJob', jobId: 'a\u0000b' });
    const long = decodeCommand({ type: 'StopJob', jobId: 'x'.repeat(254) });
    expect([bad.ok, long.ok]).toEqual([false, false]);
    expect(decodeCommand({ type: 'StopJob', jobId: 'x'.repeat(253) }).ok).toBe(true);
  });

  it.each([
    ['a lone high surrogate', 'nb\ud800'],
    ['a lone low surrogate', '\udc00x'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a bidi override', 'invoice\u202egpj.exe'],
    ['a bidi isolate', 'a\u2066b'],
    ['a zero-width space', 'ad\u200bmin'],
    ['a byte-order mark', '\ufeffjob'],
  ])('refuses an id with %s, naming the field', (_what, id) => {
    const r = decodeCommand({ type: 'SubmitJob', jobId: id, kind: 'training', owner: 'u', gpus: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.message).toContain(
        'SubmitJob.jobId: expected a non-empty string of at most 253 characters of well-formed Unicode',
      );
  });

  it('accepts ids of any script, emoji (surrogate pairs) included', () => {
    for (const id of ['训练-1', 'modèle', '😀-run', 'ジョブ']) {
      expect(decodeCommand({ type: 'StopJob', jobId: id }).ok, id).toBe(true);
    }
  });

  it('still decodes a stored event whose id a command could no longer carry, so an old log loads', () => {
    const e = { type: 'JobStarted', v: 1, at: 0, jobId: 'nb\ud800' };
    expect(decodeEvent(e).ok).toBe(true);
  });

  it('refuses a spec that is not JSON', () => {
    const r = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: 'u', gpus: 1, spec: { at: new Date(0) } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('SubmitJob.spec');
  });

  it('refuses an unknown type, listing the known ones', () => {
    const r = decodeCommand({ type: 'LaunchRocket' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]?.path).toBe('command.type');
      expect(r.message).toMatch(/^command\.type: expected one of Install, RegisterNode, .*ReleaseJob, Tick, got "LaunchRocket"$/);
    }
  });

  it('refuses a command without a type', () => {
    const r = decodeCommand({ jobId: 'j' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^command\.type: expected one of .*, got nothing$/);
  });

  it('refuses what is not an object', () => {
    for (const u of [null, 42, 'SubmitJob', [{ type: 'StopJob', jobId: 'j' }]]) {
      const r = decodeCommand(u);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues[0]?.path).toBe('command');
    }
  });

  it('strips unknown fields, nested ones too', () => {
    const r = decodeCommand({
      type: 'RegisterNode',
      nodeId: 'n',
      devices: [{ index: 0, gpuType: 'A', serial: 'xyz' }],
      admin: true,
    });
    expect(r).toEqual({ ok: true, value: { type: 'RegisterNode', nodeId: 'n', devices: [{ index: 0, gpuType: 'A' }] } });
  });

  it('accepts null as the pool of AssignPool', () => {
    expect(decodeCommand({ type: 'AssignPool', groupId: 'g', poolId: null })).toEqual({
      ok: true,
      value: { type: 'AssignPool', groupId: 'g', poolId: null },
    });
  });
});

describe('decodeEvent', () => {
  it('decodes every event a scenario produces back to itself', () => {
    const c = cluster()
      .nodes(['n1', 'n2'], 4)
      .pool('p', 'A100', { take: 8 })
      .team('g', 'p', 'u')
      .given(submit('a', 4), submit('b', 8, { workers: 2 }))
      .given(completed('a'))
      .given(registerNode('n1', 3), loseNode('n2'));
    expect(new Set(c.log.map((e) => e.type)).size).toBeGreaterThan(10);
    for (const e of c.log) {
      const json = JSON.parse(JSON.stringify(e));
      expect(decodeEvent(json)).toEqual({ ok: true, value: json });
    }
  });

  it('names the field path of a bad field', () => {
    const r = decodeEvent({
      type: 'JobAllocated',
      v: 1,
      at: 0,
      jobId: 'j',
      poolId: 'p',
      devices: ['n1/0', 3],
      shared: [],
      nodes: [],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`JobAllocated.devices.1: expected ${EVENT_NAME}, got 3`);
  });

  it('names nested paths inside a wait reason', () => {
    const reason = {
      code: 'stuck',
      message: '',
      needs: { gpus: 1, workers: 0, gpusPerWorker: 1, gpuType: null },
      freeGpus: 0,
      largestFreeBlockPerNode: 0,
      jobsAhead: 0,
      pool: null,
    };
    const r = decodeEvent({ type: 'JobWaiting', v: 1, at: 0, jobId: 'j', reason });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['JobWaiting.reason.code', 'JobWaiting.reason.needs.workers']);
  });

  it('refuses another schema version', () => {
    const r = decodeEvent({ type: 'JobStarted', v: 2, at: 0, jobId: 'j' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('JobStarted.v: expected 1, got 2');
  });

  it('refuses an unknown type, listing the known ones', () => {
    const r = decodeEvent({ type: 'JobTeleported', v: 1, at: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]?.path).toBe('event.type');
      expect(r.issues[0]?.expected).toBe(`one of ${EVENT_TYPES.join(', ')}`);
    }
  });

  it('refuses what is not an object', () => {
    const r = decodeEvent('JobStarted');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('event.type');
  });

  it('strips unknown fields', () => {
    expect(decodeEvent({ type: 'JobStarted', v: 1, at: 3, jobId: 'j', host: 'x', commandId: 'c' })).toEqual({
      ok: true,
      value: { type: 'JobStarted', v: 1, at: 3, jobId: 'j', commandId: 'c' },
    });
  });
});

describe('describing bad input', () => {
  it('describes a value nested deeper than the stack allows without throwing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const r = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'notebook', owner: 'u', gpus: deep });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('SubmitJob.gpus: expected an integer >= 0, got an array nested too deeply to show');
  });
});

describe('the flattened guards that check every command entering a batch', () => {
  it('answer exactly as io-ts does, for valid commands, spoiled ones and any value', () => {
    const valid = scenarioArb({ maxBatches: 3 }).map((s) => s.batches.flatMap((b) => b.commands));
    const spoiled = fc.tuple(valid, fc.nat(), fc.string({ maxLength: 12 }), fc.anything()).map(([commands, i, key, value]) => {
      const c = { ...(commands[i % Math.max(1, commands.length)] ?? { type: 'Tick' }) } as Record<string, unknown>;
      const keys = Object.keys(c);
      c[i % 3 === 0 ? key : (keys[i % keys.length] as string)] = value;
      return c;
    });
    fc.assert(
      fc.property(fc.oneof(spoiled, fc.anything()), (u) => {
        for (const codec of Object.values(commandCodecs)) expect(guardOf(codec)(u)).toBe(codec.is(u));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(valid, (commands) => {
        for (const c of commands) expect(guardOf(commandCodecs[c.type])(c)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the compiled fast path of decodeEvent', () => {
  /** What io-ts itself makes of a value: its decoded value, or that it fails. */
  function byIoTs(u: unknown): unknown {
    const type = (u as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(eventCodecs, type)) return 'fails';
    const r = eventCodecs[type as keyof typeof eventCodecs].decode(u);
    return r._tag === 'Right' ? r.right : 'fails';
  }

  it('gives what io-ts gives, for the events of scenarios, spoiled ones and any value', () => {
    const events = scenarioArb({ maxBatches: 3 }).map((s) => {
      const state = initialState();
      const out: Event[] = [];
      for (const b of s.batches) out.push(...runBatch(state, b.commands, b.at).events);
      return JSON.parse(JSON.stringify(out)) as Record<string, unknown>[];
    });
    const spoiled = fc.tuple(events, fc.nat(), fc.string({ maxLength: 12 }), fc.anything()).map(([list, i, key, value]) => {
      const e = { ...(list[i % Math.max(1, list.length)] ?? { type: 'JobStarted', v: 1, at: 0, jobId: 'j' }) };
      const keys = Object.keys(e);
      e[i % 3 === 0 ? key : (keys[i % keys.length] as string)] = value;
      return e;
    });
    fc.assert(
      fc.property(fc.oneof(spoiled, fc.anything()), (u) => {
        const d = decodeEvent(u);
        expect(d.ok ? d.value : 'fails').toEqual(byIoTs(u));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(events, (list) => {
        for (const e of list) expect(decodeEvent(e)).toEqual({ ok: true, value: e });
      }),
      { numRuns: 100 },
    );
  });

  it('strips an unknown property that is not enumerable, as io-ts does', () => {
    const e = { type: 'JobStarted', v: 1, at: 3, jobId: 'j' };
    Object.defineProperty(e, 'host', { value: 'x', enumerable: false });
    const d = decodeEvent(e);
    expect(d.ok && d.value).not.toBe(e);
    expect(d.ok && Object.getOwnPropertyNames(d.value)).toEqual(['type', 'v', 'at', 'jobId']);
  });
});
