/**
 * The repository stands alone: its documentation is its own (docs/ holds the
 * architecture, semantics, production-readiness and Mesos compatibility
 * pages), no file refers to the design notes kept beside it, and every
 * relative link in a Markdown file leads to a file of the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Spelled in two parts so that this file does not name it itself.
const OUTSIDE_NOTES = ['..', 'shared'].join('/');

/** Files git tracks (so nothing under node_modules or a build). */
function trackedFiles(...patterns: string[]): string[] {
  return execFileSync('git', ['ls-files', '-z', '--', ...patterns], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

describe('documentation that stands alone', () => {
  it('has the four pages of docs/', () => {
    for (const page of ['architecture.md', 'semantics.md', 'production-readiness.md', 'mesos-compatibility.md'])
      expect(existsSync(join(ROOT, 'docs', page)), `docs/${page}`).toBe(true);
  });

  it('refers nowhere to the design notes beside the repository (they are not part of it)', () => {
    const referring = trackedFiles('*.md', '*.ts', '*.mjs', '*.js', '*.svelte', '*.json').filter((file) =>
      readFileSync(join(ROOT, file), 'utf8').includes(OUTSIDE_NOTES),
    );

    expect(referring).toEqual([]);
  });

  it('links, in every Markdown file, only to files inside the repository that exist', () => {
    const broken: string[] = [];
    for (const file of trackedFiles('*.md')) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue; // web addresses, anchors
        const path = resolve(dirname(join(ROOT, file)), decodeURI(target.split('#')[0]));
        const inside = !relative(ROOT, path).startsWith('..');
        if (!inside || !existsSync(path)) broken.push(`${file}: ${target}${inside ? ' (missing)' : ' (outside the repository)'}`);
      }
    }

    expect(broken).toEqual([]);
  });
});
