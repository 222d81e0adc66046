/**
 * The faults a simulation injected: the scenario's fault schedule up to the
 * time the run reached, each as its time, type and target in a few words
 * (the report field `faults` and the summary's "Faults injected" lines). A
 * chaos run is replayed by its seed; this is what that seed did to it.
 */
import type { ScenarioFault } from '@allot/kernel';

export interface InjectedFault {
  atMs: number;
  type: ScenarioFault['type'];
  /** What it hit: "agent-3", "agent-1, agent-2", "framework web, task web-7", "plan deploy of cassandra". */
  target: string;
}

export function injectedFaults(faults: readonly ScenarioFault[], simulatedMs: number): InjectedFault[] {
  return faults
    .filter((fault) => fault.atMs <= simulatedMs)
    .map((fault) => ({ atMs: fault.atMs, type: fault.type, target: target(fault) }));
}

function target(fault: ScenarioFault): string {
  switch (fault.type) {
    case 'agent.crash':
    case 'agent.restart':
    case 'agent.drain':
    case 'agent.gone':
      return fault.agent;
    case 'agent.add':
      return fault.agent.id;
    case 'network.partition':
    case 'network.heal':
    case 'maintenance.start':
    case 'maintenance.stop':
      return fault.agents.join(', ');
    case 'maintenance.schedule':
      return `${fault.agents.join(', ')}${fault.startsInMs === undefined ? '' : `, starting ${fault.startsInMs / 1000} s later`}`;
    case 'task.fail':
      return `framework ${fault.framework}, ${fault.task === undefined ? 'a running task picked by the simulator' : `task ${fault.task}`}`;
    case 'master.failover':
      return 'the master';
    case 'framework.revive':
    case 'framework.suppress':
      return `framework ${fault.framework}${fault.roles ? ` (roles ${fault.roles.join(', ')})` : ''}`;
    case 'role.update':
      return `role ${fault.role}`;
    case 'plan.interrupt':
    case 'plan.continue':
    case 'plan.restart':
    case 'plan.forceComplete':
      return `${[fault.step && `step ${fault.step}`, fault.phase && `phase ${fault.phase}`, `plan ${fault.plan}`].filter(Boolean).join(' of ')} of ${fault.framework}`;
    case 'pod.replace':
    case 'pod.restart':
      return `pod ${fault.pod} of ${fault.framework}`;
    case 'plan.start':
    case 'plan.stop':
      return `plan ${fault.plan} of ${fault.framework}`;
    case 'service.update':
    case 'service.uninstall':
    case 'scheduler.restart':
      return `framework ${fault.framework}`;
    default: {
      const unknown: never = fault;
      return JSON.stringify(unknown);
    }
  }
}

/** "Faults injected: 3 of 4 scheduled" and one line per fault, for the human summary. */
export function formatFaults(faults: readonly InjectedFault[], scheduled: number): string {
  const lines = [
    `Faults injected: ${faults.length}${faults.length === scheduled ? '' : ` of ${scheduled} scheduled (the run ended first)`}`,
  ];
  const typeWidth = Math.max(0, ...faults.map((fault) => fault.type.length));
  for (const fault of faults)
    lines.push(`  ${`${(fault.atMs / 1000).toFixed(1)} s`.padStart(9)}  ${fault.type.padEnd(typeWidth)}  ${fault.target}`);
  return `\n${lines.join('\n')}\n`;
}
