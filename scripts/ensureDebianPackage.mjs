// Installs Debian packages that provide a binary the tests need, when the
// binary is missing and we are root (`apt-get update`, then `apt-get install -y`
// without recommends). Never downloads anything from elsewhere. Returns
// { ok, path } or { ok: false, reason } so that callers can skip a suite and say why.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function ensureDebianPackage({ name, path, packages, quiet = false }) {
  if (existsSync(path)) return { ok: true, path };
  const say = (message) => {
    if (!quiet) console.log(`${name}: ${message}`);
  };
  const fail = (reason) => {
    say(reason);
    return { ok: false, reason };
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot)
    return fail(
      `${path} is missing and we are not root, so it cannot be installed here (run: sudo apt-get install -y ${packages.join(' ')})`,
    );
  say(`${path} is missing: installing Debian's ${packages.join(', ')} (apt-get update; apt-get install -y)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio = quiet ? 'ignore' : 'inherit';
  const update = spawnSync('apt-get', ['update'], { stdio, env });
  if (update.status !== 0) return fail(`apt-get update failed (exit ${update.status})`);
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio, env });
  if (install.status !== 0 || !existsSync(path)) return fail(`apt-get install ${packages.join(' ')} failed (exit ${install.status})`);
  say(`installed ${path}`);
  return { ok: true, path };
}
