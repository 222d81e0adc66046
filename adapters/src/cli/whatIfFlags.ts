/**
 * The what-if flags of `allot simulate` (`--drain`, `--remove-agents`,
 * `--quota`, `--at`) read into kernel WhatIfEdits, and the outcome as a
 * table: per framework, running tasks in the unchanged and the edited run,
 * what moved where, what is stuck and why, what is lost.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Scenario, ServiceSpec, WhatIfEdits, WhatIfOutcome } from '@allot/kernel';
import { busiestAgents } from '@allot/kernel';
import { loadServiceSpec } from '../service/serviceSpecFile.js';
import { UsageError } from './exitCodes.js';

export interface WhatIfFlags {
  drain?: string;
  removeAgents?: string;
  quota?: string[];
  at?: number;
  addService?: string[];
}

export function hasWhatIf(flags: WhatIfFlags): boolean {
  return (
    flags.drain !== undefined || flags.removeAgents !== undefined || (flags.quota?.length ?? 0) > 0 || (flags.addService?.length ?? 0) > 0
  );
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function whatIfEdits(flags: WhatIfFlags, scenario: Scenario): WhatIfEdits {
  const list = (text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const edits: WhatIfEdits = { ...(flags.at !== undefined ? { atMs: flags.at } : {}) };
  const agentIds = new Set(scenario.agents.map((agent) => agent.id));
  const checkAgents = (flag: string, ids: string[]) => {
    for (const id of ids) if (!agentIds.has(id)) throw new UsageError(`${flag}: no agent "${id}" in ${scenario.name}`);
    return ids;
  };
  if (flags.drain !== undefined) edits.drain = checkAgents('--drain', list(flags.drain));
  if (flags.removeAgents !== undefined) {
    const text = flags.removeAgents.trim();
    if (/^\d+$/.test(text)) {
      const count = Number(text);
      if (count < 1 || count > scenario.agents.length)
        throw new UsageError(`--remove-agents: expected 1..${scenario.agents.length} (the scenario's agents), got ${text}`);
      edits.remove = busiestAgents(scenario, count);
    } else edits.remove = checkAgents('--remove-agents', list(text));
  }
  const roles = new Set(scenario.roles.map((role) => role.name));
  edits.quotaLimits = (flags.quota ?? []).map((text) => {
    const match = /^([^=]+)=(.+)$/.exec(text);
    if (!match) throw new UsageError(`--quota: expected ROLE=NAME:AMOUNT[,NAME:AMOUNT], e.g. web=cpus:40,mem:65536; got "${text}"`);
    const role = match[1].trim();
    if (!roles.has(role))
      throw new UsageError(`--quota: no role "${role}" in ${scenario.name} (roles: ${[...roles].join(', ') || 'none'})`);
    const limit: Record<string, number> = {};
    for (const part of list(match[2])) {
      const [name, amount] = part.split(':');
      const value = Number(amount);
      if (!name || amount === undefined || !Number.isFinite(value) || value < 0)
        throw new UsageError(`--quota ${text}: "${part}" is not NAME:AMOUNT with an amount >= 0`);
      limit[name.trim()] = value;
    }
    return { role, limit };
  });
  if (flags.addService?.length) edits.addServices = flags.addService.map((file) => ({ service: readService(file) }));
  return edits;
}

/** A svc.yml (or the SDK's JSON spec) as `allot service run` reads it; `{{VAR}}` from the environment. */
function readService(file: string): ServiceSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--add-service ${file}: ${(error as Error).message}`);
  }
  const loaded = loadServiceSpec(text, basename(file), (name) => process.env[name]);
  if (!loaded.ok) throw new UsageError(`--add-service ${file}:\n  ${loaded.errors.join('\n  ')}`);
  return loaded.spec;
}

export function formatWhatIf(outcome: WhatIfOutcome): string {
  const lines = [`What if: ${outcome.edits.join('; ')}`, ''];
  const header = ['framework', 'running at edit', 'unchanged', 'what-if', 'moved', 'stuck', 'lost', 'dominant share'];
  const rows = outcome.frameworks.map((f) => [
    f.id,
    String(f.runningBefore),
    String(f.runningUnchanged),
    String(f.runningWhatIf),
    String(f.moved.length),
    String(f.stuck),
    String(f.lost),
    `${f.dominantShareUnchanged.toFixed(3)} -> ${f.dominantShareWhatIf.toFixed(3)}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`.trimEnd();
  lines.push(line(header), ...rows.map(line), '');
  for (const f of outcome.frameworks) {
    if (f.moved.length) {
      const from = [...new Set(f.moved.map((task) => task.fromAgent))].join(', ');
      const to = Object.entries(f.movedTo)
        .map(([agent, count]) => `${agent} (${count})`)
        .join(', ');
      lines.push(`  ${f.id}: ${f.moved.length} task(s) moved from ${from} to ${to}`);
    }
    if (f.stuck)
      lines.push(
        `  ${f.id}: ${f.stuck} task(s) stuck; agents by reason: ${Object.entries(f.stuckReasons)
          .map(([reason, agents]) => `${reason} ${agents}`)
          .join(', ')}`,
      );
    if (f.added) {
      lines.push(`  ${f.id}: added; plans at the end: ${f.added.plans.join(', ') || 'none'}`);
      for (const { step, reasons } of f.added.waiting) lines.push(`    ${step} waits: ${reasons.join(' | ') || 'no offer yet'}`);
    }
    if (f.service) {
      lines.push(`  ${f.id}: plans at the end: ${f.service.plans.join(', ') || 'none'}`);
      for (const { step, status, reasons } of f.service.recovery)
        lines.push(`    recovery ${step} ${status}${status === 'COMPLETE' ? '' : ` waits: ${reasons.join(' | ') || 'no offer yet'}`}`);
    }
    if (f.lost) lines.push(`  ${f.id}: ${f.lost} task(s) lost (ended and not replaced: the framework does not relaunch them)`);
  }
  const utilization = (report: WhatIfOutcome['whatIf']) =>
    Object.entries(report.cluster.utilization)
      .map(([name, value]) => `${name} ${(value * 100).toFixed(1)}%`)
      .join(', ');
  lines.push(`  utilisation: unchanged ${utilization(outcome.unchanged)}; what-if ${utilization(outcome.whatIf)}`);
  const violations = outcome.whatIf.invariantViolations.length + outcome.unchanged.invariantViolations.length;
  lines.push(`  invariant violations: ${violations === 0 ? 'none' : violations}`, '');
  return lines.join('\n');
}
