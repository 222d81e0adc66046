/**
 * The adapters use the kernel as a package (`@allot/kernel`), never through a
 * relative path into kernel/src: such an import builds the kernel's sources a
 * second time, and the build then writes JavaScript next to them (seen once:
 * kernel/src/prng.js committed by accident). Nothing generated lives in a
 * source folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../packInstall.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const SOURCE_DIRS = ['kernel/src', 'adapters/src'].map((dir) => join(REPO_ROOT, dir));

describe('package boundaries', () => {
  it('adapters import the kernel as @allot/kernel, not by a path into kernel/src', () => {
    const offenders = filesUnder(join(REPO_ROOT, 'adapters', 'src'))
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => /from\s+['"](\.\.\/)+kernel\/src\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('keeps generated JavaScript and declarations out of the source folders', () => {
    const generated = SOURCE_DIRS.flatMap(filesUnder)
      .filter((file) => /\.(js|d\.ts|js\.map)$/.test(file))
      .map((file) => relative(REPO_ROOT, file));
    expect(generated).toEqual([]);
  });
});
