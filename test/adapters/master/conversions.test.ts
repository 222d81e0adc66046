/**
 * Pure pieces of the master daemon: Mesos Resource JSON <-> ResourceSet
 * (round trip, both reservation forms, volumes, errors naming the field),
 * uuids as base64, RecordIO framing, null stripping, and the file store's
 * compare-and-swap (its log is covered in test/adapters/store).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResourceLayout } from '@allot/kernel';
import { normalizeBody } from '../../../adapters/src/master/jsonBody.js';
import { uuidFromBase64, uuidToBase64 } from '../../../adapters/src/master/mesosJson.js';
import { fromResourceSet, toResourceSet } from '../../../adapters/src/master/mesosResources.js';
import { encodeRecord, RecordIoDecoder } from '../../../adapters/src/master/recordIo.js';
import { toTaskSpec } from '../../../adapters/src/master/taskInfo.js';
import { FileStore } from '../../../adapters/src/store/fileStore.js';

const layout = ResourceLayout.create();

describe('Mesos Resource JSON', () => {
  it('round-trips unreserved, reserved (stacked) and volume resources', () => {
    const json = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31010 }] } },
      {
        name: 'mem',
        type: 'SCALAR',
        scalar: { value: 512 },
        reservations: [
          { type: 'DYNAMIC', role: 'eng', labels: { labels: [{ key: 'resource_id', value: 'x' }] } },
          { type: 'DYNAMIC', role: 'eng/web' },
        ],
      },
      {
        name: 'disk',
        type: 'SCALAR',
        scalar: { value: 100 },
        reservations: [{ type: 'DYNAMIC', role: 'db' }],
        disk: { persistence: { id: 'vol' }, volume: { container_path: 'data', mode: 'RW' } },
      },
    ];

    const parsed = toResourceSet(json, layout, 'r');
    if (!parsed.ok) throw new Error(parsed.message);
    const again = toResourceSet(fromResourceSet(parsed.value, layout), layout, 'r');

    expect(again).toEqual(parsed);
    expect(parsed.value.reserved.map((part) => part.role).sort()).toEqual(['db', 'eng/web']);
    expect(parsed.value.reserved.find((part) => part.role === 'db')!.volume).toEqual({
      persistenceId: 'vol',
      containerPath: 'data',
      mode: 'RW',
    });
  });

  it('reads the pre-refinement form: role with a reservation is dynamic, without one static', () => {
    const parsed = toResourceSet(
      [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'a', reservation: { principal: 'p' } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 64 }, role: 'b' },
      ],
      layout,
      'r',
    );
    if (!parsed.ok) throw new Error(parsed.message);

    expect(parsed.value.reserved.map((part) => part.reservations[0])).toEqual([
      { role: 'a', type: 'DYNAMIC', principal: 'p' },
      { role: 'b', type: 'STATIC' },
    ]);
  });

  it('names the field at fault', () => {
    expect(toResourceSet([{ name: 'cpus', scalar: { value: 'x' } }], layout, 'a.resources')).toMatchObject({
      ok: false,
      field: 'a.resources[0].scalar.value',
    });
    expect(toResourceSet([{ name: 'gold', type: 'SCALAR', scalar: { value: 1 } }], layout, 'r')).toMatchObject({
      ok: false,
      field: 'r[0].name',
    });
    expect(toResourceSet([{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 9, end: 2 }] } }], layout, 'r')).toMatchObject({
      ok: false,
      field: 'r[0].ranges.range[0].end',
    });
    expect(
      toResourceSet([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ role: 'a//b' }] }], layout, 'r'),
    ).toMatchObject({ ok: false, field: 'r[0].reservations[0].role' });
    expect(toResourceSet({}, layout, 'r')).toMatchObject({ ok: false, field: 'r' });
  });

  it('refuses amounts below the smallest unit (0.001) instead of rounding them to nothing', () => {
    for (const value of [5e-324, 0.0004, Number.MIN_VALUE])
      expect(toResourceSet([{ name: 'cpus', type: 'SCALAR', scalar: { value } }], layout, 'r')).toEqual({
        ok: false,
        field: 'r[0].scalar.value',
        message: `must be 0 or at least 0.001 (amounts have three decimal places), got ${value}`,
      });
    expect(toResourceSet([{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.001 } }], layout, 'r').ok).toBe(true);
  });
});

describe('TaskInfo', () => {
  const task = (cpus: number) => ({
    name: 't',
    task_id: { value: 't1' },
    agent_id: { value: 'a1' },
    command: { value: 'true' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
  });

  it('refuses a task with fewer than 0.01 cpus (-0 and 5e-324 included), naming its resources', () => {
    for (const cpus of [-0, 5e-324, 0, 0.009])
      expect(toTaskSpec(task(cpus), layout, 'launch.task_infos[0]')).toMatchObject({
        ok: false,
        field: expect.stringMatching(/^launch\.task_infos\[0\]\.resources/),
      });
    expect(toTaskSpec(task(0.01), layout, 'launch.task_infos[0]').ok).toBe(true);
  });
});

describe('uuids, RecordIO and bodies', () => {
  it('encodes uuids as 16 base64 bytes and decodes them back', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const encoded = uuidToBase64(uuid);
        expect(Buffer.from(encoded, 'base64')).toHaveLength(16);
        expect(uuidFromBase64(encoded)).toBe(uuid.toLowerCase());
      }),
    );
    expect(uuidFromBase64('not base64!')).toBeNull();
  });

  it('frames records as <length>\\n<json> and decodes them across any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.integer({ min: 1, max: 17 }), (values, chunk) => {
        const bytes = Buffer.concat(values.map(encodeRecord));
        const decoder = new RecordIoDecoder();
        const out: unknown[] = [];
        for (let i = 0; i < bytes.length; i += chunk)
          out.push(...decoder.push(bytes.subarray(i, i + chunk)).map((text) => JSON.parse(text)));
        expect(out).toEqual(values.map((value) => JSON.parse(JSON.stringify(value))));
      }),
    );
    expect(encodeRecord({ a: 'é' }).toString()).toBe('10\n{"a":"é"}');
    expect(() => new RecordIoDecoder().push(Buffer.from('x\n'))).toThrow(/bad length/);
  });

  it('drops nulls (null = unset) and refuses bodies nested too deep', () => {
    expect(normalizeBody({ a: null, b: [1, null, { c: null }] })).toEqual({ ok: true, value: { b: [1, {}] } });
    expect(normalizeBody(JSON.parse('['.repeat(100) + ']'.repeat(100)))).toMatchObject({ ok: false });
  });
});

describe('file store', () => {
  it('puts atomically with compare-and-swap versions and leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allot-store-'));
    const store = new FileStore(dir);

    const first = await store.put('state', 'one', 0);
    const second = await store.put('state', 'two', 1);
    const stale = await store.put('state', 'three', 1);
    const read = await store.get('state');

    expect(first).toEqual({ ok: true, version: 1 });
    expect(second).toEqual({ ok: true, version: 2 });
    expect(stale).toMatchObject({ ok: false, code: 'version_conflict', actualVersion: 2 });
    expect(read).toEqual({ value: 'two', version: 2 });
    expect(await new FileStore(dir).get('state')).toEqual({ value: 'two', version: 2 });
    expect(readdirSync(dir)).toEqual(['log.0']);
    await expect(store.put('../escape', 'x')).rejects.toThrow(/store key/);
    rmSync(dir, { recursive: true, force: true });
  });
});
