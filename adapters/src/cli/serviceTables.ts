/**
 * Human tables for `allot service plan|pod|endpoints`: a plan as its phases
 * and steps with their statuses (and why a step waits), pods with their tasks
 * and states, endpoints with their addresses. `--json` prints the API's JSON
 * instead; these tables are for reading and may change.
 */
import Table from 'cli-table3';

type Json = Record<string, any>;

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, wordWrap: true });
}

export function planTable(name: string, plan: Json): string {
  const rows = table(['phase / step', 'status', 'strategy / message']);
  for (const phase of plan.phases as Json[]) {
    rows.push([phase.name, phase.status, phase.strategy]);
    for (const step of phase.steps as Json[]) rows.push([`  ${step.name}`, step.status, step.status === 'COMPLETE' ? '' : step.message]);
  }
  const errors = (plan.errors as string[]).length > 0 ? `\nerrors:\n  ${(plan.errors as string[]).join('\n  ')}` : '';
  return `plan ${name} (${plan.strategy}): ${plan.status}\n${rows.toString()}${errors}\n`;
}

export function plansTable(plans: Array<{ name: string; plan: Json }>): string {
  const rows = table(['plan', 'status', 'strategy', 'phases']);
  for (const { name, plan } of plans)
    rows.push([
      name,
      plan.status,
      plan.strategy,
      (plan.phases as Json[]).map((phase) => `${phase.name} ${phase.status}`).join('\n') || '-',
    ]);
  return `${rows.toString()}\n`;
}

export function podsTable(status: Json): string {
  const rows = table(['pod', 'task', 'status', 'task id']);
  for (const pod of (status.pods as Json[] | undefined) ?? [])
    for (const instance of pod.instances as Json[])
      for (const task of instance.tasks as Json[]) rows.push([instance.name, task.name, task.status ?? '-', task.id || '-']);
  return `service ${status.service}\n${rows.toString()}\n`;
}

export function podTable(status: Json): string {
  const rows = table(['task', 'status', 'task id']);
  for (const task of status.tasks as Json[]) rows.push([task.name, task.status ?? '-', task.id || '-']);
  return `pod ${status.name}\n${rows.toString()}\n`;
}

export function endpointsTable(endpoints: Array<{ name: string; endpoint: Json }>): string {
  const rows = table(['endpoint', 'address', 'dns']);
  for (const { name, endpoint } of endpoints)
    rows.push([name, (endpoint.address as string[]).join('\n'), (endpoint.dns as string[]).join('\n')]);
  return `${rows.toString()}\n`;
}
