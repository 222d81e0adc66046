/**
 * The scheduler contract's layering, read from the import statements of
 * kernel/src: schedulers/ (the contract, framework configs, field readers)
 * depends on no host and no model; sdk/ and frameworks/ (the models) import
 * nothing from sim/ (one host among two); sdk/ does not import frameworks/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const kernelSource = fileURLToPath(new URL('../../../kernel/src/', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import (static, re-export or dynamic) as "file -> top folder of kernel/src it lands in". */
function importsOf(folder: string): Array<{ file: string; target: string }> {
  const out: Array<{ file: string; target: string }> = [];
  for (const path of sourceFiles(join(kernelSource, folder))) {
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(kernelSource, normalize(join(dirname(path), match[1])));
      out.push({ file: relative(kernelSource, path), target });
    }
  }
  return out;
}

function offending(folder: string, forbidden: readonly string[]): string[] {
  return importsOf(folder)
    .filter(({ target }) => forbidden.some((name) => target === name || target.startsWith(`${name}/`)))
    .map(({ file, target }) => `${file} imports ${target}`);
}

describe('scheduler contract layering', () => {
  it('finds the imports it checks (the scan is not vacuous)', () => {
    expect(importsOf('sdk').length).toBeGreaterThan(20);
    expect(importsOf('frameworks').some(({ target }) => target.startsWith('schedulers/'))).toBe(true);
    expect(importsOf('sim').some(({ target }) => target.startsWith('frameworks/'))).toBe(true);
  });

  it('sdk/ and frameworks/ import nothing from sim/', () => {
    expect(offending('sdk', ['sim'])).toEqual([]);
    expect(offending('frameworks', ['sim'])).toEqual([]);
  });

  it('schedulers/ imports no host and no model', () => {
    expect(offending('schedulers', ['sim', 'sdk', 'frameworks', 'testing'])).toEqual([]);
  });

  it('sdk/ does not import frameworks/ (the stateful kind wraps the SDK, not the other way round)', () => {
    expect(offending('sdk', ['frameworks', 'testing'])).toEqual([]);
  });
});
