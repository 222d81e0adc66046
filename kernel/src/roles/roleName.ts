/**
 * Hierarchical role names ("eng/web/api"): validation with Mesos's rules and
 * the ancestor relation that decides which reservations a role may use.
 * Invariant: "*" is the unreserved pseudo-role and is never a client role.
 */

export const UNRESERVED_ROLE = '*';

/** Null when valid, else why not (Mesos `roles::validate`). */
export function roleNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name === UNRESERVED_ROLE) return '"*" is the unreserved pseudo-role';
  if (name.startsWith('/') || name.endsWith('/')) return 'must not start or end with "/"';
  for (const component of name.split('/')) {
    if (component.length === 0) return 'must not contain "//"';
    if (component === '.' || component === '..') return 'path components must not be "." or ".."';
    if (component.startsWith('-')) return 'path components must not start with "-"';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this rejects.
    if (/[\s\x00-\x1f\x7f]/.test(component)) return 'must not contain whitespace or control characters';
  }
  return null;
}

/** True when `ancestor` is `role` itself or one of its ancestors ("eng" for "eng/web"). */
export function isSelfOrAncestor(ancestor: string, role: string): boolean {
  return ancestor === role || (role.length > ancestor.length && role.startsWith(ancestor) && role[ancestor.length] === '/');
}

export function topLevelRole(role: string): string {
  const slash = role.indexOf('/');
  return slash < 0 ? role : role.slice(0, slash);
}

/** "a/b/c" -> ["a", "a/b", "a/b/c"]. */
export function rolePath(role: string): string[] {
  const parts = role.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
