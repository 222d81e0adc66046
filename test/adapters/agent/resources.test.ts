/**
 * The agent's --resources and --attributes flags in Mesos syntax, and host
 * detection: totals, port ranges, role-qualified items as static
 * reservations, and errors that name the item at fault.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectHostResources, parseAttributes, parseResources, resolveAgentResources } from '../../../adapters/src/agent/resources.js';

const workDir = mkdtempSync(join(tmpdir(), 'allot-agent-resources-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('parseResources', () => {
  it('parses scalars and a port range', () => {
    expect(parseResources('cpus:2;mem:2048;disk:4096;ports:[31000-32000]')).toEqual({
      ok: true,
      value: { resources: { cpus: 2, mem: 2048, disk: 4096 }, ports: [[31000, 32000]], reservations: [] },
    });
  });

  it('accepts gpus, any other scalar, several port ranges and rounds scalars to 3 decimals', () => {
    const parsed = parseResources(' cpus:0.12345 ; gpus:1; fpga:2; ports:[32000-32100, 31000-31010] ');

    expect(parsed).toEqual({
      ok: true,
      value: {
        resources: { cpus: 0.123, gpus: 1, fpga: 2 },
        ports: [
          [31000, 31010],
          [32000, 32100],
        ],
        reservations: [],
      },
    });
  });

  it('turns role-qualified items into static reservations that are part of the totals', () => {
    const parsed = parseResources(
      'cpus:4;cpus(analytics):2;mem(analytics):1024;mem:1024;ports(web):[80-80];ports:[31000-31010];disk(*):100',
    );

    expect(parsed).toEqual({
      ok: true,
      value: {
        resources: { cpus: 6, mem: 2048, disk: 100 },
        ports: [
          [80, 80],
          [31000, 31010],
        ],
        reservations: [
          { role: 'analytics', resources: { cpus: 2, mem: 1024 } },
          { role: 'web', resources: {}, ports: [[80, 80]] },
        ],
      },
    });
  });

  it.each([
    ['cpus:2;mem:lots', 'resource item 2 "mem:lots": expected a finite number >= 0, got "lots"'],
    ['cpus:-1', 'resource item 1 "cpus:-1": expected a finite number >= 0, got "-1"'],
    ['cpus', 'resource item 1 "cpus": expected NAME:VALUE or NAME(ROLE):VALUE'],
    ['ports:[32000-31000]', 'resource item 1 "ports:[32000-31000]": range 32000-31000 ends before it begins'],
    ['ports:[31000-70000]', 'resource item 1 "ports:[31000-70000]": range 31000-70000 goes past port 65535'],
    ['ports:[31000-31010,31005-31020]', 'resource item 1 "ports:[31000-31010,31005-31020]": ranges overlap at 31005-31010'],
    ['ports:[31000-31010];ports(web):[31010-31011]', 'resource item 2 "ports(web):[31010-31011]": ports 31010-31010 are listed twice'],
    ['ports:31000', 'resource item 1 "ports:31000": "ports" must be ranges like [31000-32000]'],
    ['mem:[1-2]', 'resource item 1 "mem:[1-2]": only "ports" may be a range resource'],
    ['cpus(/bad):1', 'resource item 1 "cpus(/bad):1": role "/bad" must not start or end with "/"'],
    ['disks:{a,b}', 'resource item 1 "disks:{a,b}": set-valued resources are not supported'],
  ])('rejects %s naming the item', (text, message) => {
    expect(parseResources(text)).toEqual({ ok: false, code: 'invalid_resources', message });
  });
});

describe('parseAttributes', () => {
  it('parses text and numbers', () => {
    expect(parseAttributes('rack:r1;zone:a;level:3;ratio:0.5')).toEqual({
      ok: true,
      value: { rack: 'r1', zone: 'a', level: 3, ratio: 0.5 },
    });
  });

  it.each([
    ['rack', 'attribute 1 "rack": expected NAME:VALUE'],
    ['rack:r1;rack:r2', 'attribute 2 "rack:r2": attribute "rack" is given twice'],
    ['rack:', 'attribute 1 "rack:": the value is empty'],
    ['9lives:x', 'attribute 1 "9lives:x": "9lives" is not a valid attribute name'],
  ])('rejects %s naming the attribute', (text, message) => {
    expect(parseAttributes(text)).toEqual({ ok: false, code: 'invalid_attributes', message });
  });
});

describe('host resources', () => {
  it('keeps back 1 GB of memory (half below 2 GB) and 5 GB of disk (half below 10 GB)', async () => {
    const large = await detectHostResources({ workDir, cpuCount: 8, totalMemoryBytes: 16 * 2 ** 30 });
    const small = await detectHostResources({ workDir, cpuCount: 1, totalMemoryBytes: 1 * 2 ** 30 });

    expect(large.resources.cpus).toBe(8);
    expect(large.resources.mem).toBe(15 * 1024);
    expect(small.resources.mem).toBe(512);
    expect(large.resources.disk).toBeGreaterThan(0);
    expect(large.ports).toEqual([[31000, 32000]]);
  });

  it('fills in what the flag leaves out from the host', async () => {
    const resolved = await resolveAgentResources('cpus:1;gpus:2', { workDir, totalMemoryBytes: 4 * 2 ** 30 });

    expect(resolved.ok && resolved.value.resources).toMatchObject({ cpus: 1, gpus: 2, mem: 3072 });
    expect(resolved.ok && resolved.value.ports).toEqual([[31000, 32000]]);
  });
});
