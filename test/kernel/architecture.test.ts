/**
 * The layout's promises, checked on the source: no import loop inside the
 * kernel (master.ts and its handlers in particular: handlers get the master's
 * parts, never the Master), the allocator does not depend on the master, and
 * hosts (adapters, benchmarks, the playground) import the kernel through its
 * package root, never a kernel file by relative path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kernel = join(root, 'kernel/src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a file, type-only ones included (they are loops for a reader too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g))
    out.push(resolve(dirname(file), match[1].replace(/\.js$/, '.ts')));
  return out;
}

/** Strongly connected components of more than one file (Tarjan). */
function loops(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => target.startsWith(kernel))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(relative(kernel, member));
    } while (member !== file);
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

describe('architecture', () => {
  it('the master, the allocator, offers, agents and tasks form no import loop', () => {
    const master = sources(join(kernel, 'master'));
    const parts = ['master/', 'allocator/', 'offers/', 'agents/', 'tasks/', 'resources/', 'roles/'];
    const inParts = loops(sources(kernel)).filter((component) => component.some((file) => parts.some((part) => file.startsWith(part))));
    expect(inParts).toEqual([]);
    for (const file of master) {
      if (file.endsWith('master.ts') || file.endsWith('snapshot.ts')) continue;
      expect(
        importsOf(file).map((target) => relative(kernel, target)),
        relative(kernel, file),
      ).not.toContain('master/master.ts');
    }
  });

  it('the allocator and the offer book do not depend on the master', () => {
    for (const file of [...sources(join(kernel, 'allocator')), ...sources(join(kernel, 'offers'))]) {
      const targets = importsOf(file).map((target) => relative(kernel, target));
      expect(
        targets.filter((target) => target === 'master/master.ts'),
        relative(kernel, file),
      ).toEqual([]);
    }
  });

  it('hosts import the kernel from its package root only', () => {
    const hosts = ['adapters/src', 'benchmarks', 'playground/src'].flatMap((dir) => sources(join(root, dir)));
    const offenders = hosts
      .filter((file) => /from\s+'[^']*kernel\/src\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});
