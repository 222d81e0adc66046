/**
 * Paths in a svc.yml, as users read them: `pods.hello.tasks.server.cpus`
 * (keys joined with dots, list indexes in brackets), with the line they are
 * on. The readers record problems at JSON paths (`$.pods.hello["allow-decommission"]`);
 * these helpers turn them into YAML paths and find their line in the parsed
 * document, walking up to the nearest node that exists.
 */
import type { Document, LineCounter } from 'yaml';

type Key = string | number;

/** JSON path in the converted spec -> JSON path of the svc.yml node it came from. */
export type PathMap = Map<string, string>;

/** `$.a["b-c"][2].d` -> ['a', 'b-c', 2, 'd']. */
export function pathKeys(path: string): Key[] {
  const keys: Key[] = [];
  const pattern = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.replace(/^\$/, '').matchAll(pattern)) {
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else keys.push(JSON.parse(match[3]) as string);
  }
  return keys;
}

/** ['pods', 'hello', 'tasks', 0] -> "pods.hello.tasks[0]". */
export function yamlPath(keys: readonly Key[]): string {
  return keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('') || '(top level)';
}

/** The line of the deepest node of the document on the way to `keys` (1-based), or null. */
export function lineOf(document: Document, lineCounter: LineCounter, keys: readonly Key[]): number | null {
  for (let length = keys.length; length >= 0; length--) {
    const node = document.getIn(keys.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return null;
}
