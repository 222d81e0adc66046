/**
 * Plans in words: the colour, symbol and meaning of each plan status, the
 * step reasons the SDK's offer evaluator records ("agent-4: placement: ..."
 * for an offer turned down, "scalars: reserve ..." for the one taken), and
 * one sentence per step that answers "why is node-2 not placed (yet)?".
 * Pure functions: test/playground/planText.test.ts checks them in Node.
 */
import type { PlanFrame, PlanPhaseFrame, PlanStepFrame } from '../worker/frame.js';

export interface StatusLook {
  colour: string;
  symbol: string;
  label: string;
  meaning: string;
}

/** Okabe-Ito colours, each with a symbol and a word, so colour is never the only carrier. */
export const PLAN_STATUS: Record<string, StatusLook> = {
  COMPLETE: { colour: '#009E73', symbol: '✓', label: 'complete', meaning: 'done: every task is running (and ready)' },
  IN_PROGRESS: { colour: '#56B4E9', symbol: '◐', label: 'in progress', meaning: 'some children done or under way' },
  PREPARED: { colour: '#56B4E9', symbol: '●', label: 'prepared', meaning: 'the step is being worked on: looking for an offer that fits' },
  STARTING: { colour: '#0072B2', symbol: '▶', label: 'starting', meaning: 'launched; waiting for its tasks to run' },
  STARTED: { colour: '#0072B2', symbol: '▶', label: 'started', meaning: 'running; waiting for its readiness check' },
  PENDING: { colour: '#8b96a3', symbol: '○', label: 'pending', meaning: 'not started: waits for its turn' },
  WAITING: { colour: '#E69F00', symbol: '❚❚', label: 'waiting', meaning: 'held: interrupted, or a canary step waiting for Continue' },
  DELAYED: { colour: '#CC79A7', symbol: '◔', label: 'delayed', meaning: 'backing off after a failure before it tries again' },
  ERROR: { colour: '#D55E00', symbol: '✕', label: 'error', meaning: 'cannot go on: the configuration is invalid' },
};

export function statusLook(status: string): StatusLook {
  return PLAN_STATUS[status] ?? { colour: '#8b96a3', symbol: '?', label: status.toLowerCase().replace(/_/g, ' '), meaning: status };
}

const STAGES = new Set(['placement', 'executor', 'ports', 'scalars', 'volumes', 'launch']);

/** One reason, split: the agent whose offer it is about (for turned-down offers), the evaluation stage, and the text. */
export interface StepReason {
  agent: string | null;
  stage: string | null;
  text: string;
}

export function parseReason(reason: string): StepReason {
  const parts = reason.split(': ');
  if (parts.length >= 2 && STAGES.has(parts[0])) return { agent: null, stage: parts[0], text: parts.slice(1).join(': ') };
  if (parts.length >= 3 && STAGES.has(parts[1])) return { agent: parts[0], stage: parts[1], text: parts.slice(2).join(': ') };
  return { agent: null, stage: null, text: reason };
}

/** The pod instance a step works on: "node-1:[server]" -> "node-1". */
export function stepPod(step: PlanStepFrame): string {
  const colon = step.name.indexOf(':');
  return colon < 0 ? step.name : step.name.slice(0, colon);
}

/** One sentence: why the step is where it is. */
export function whyStep(step: PlanStepFrame, phase: PlanPhaseFrame, plan: PlanFrame): string {
  const pod = stepPod(step);
  const reasons = step.reasons.map(parseReason);
  const declined = reasons.filter((reason) => reason.agent !== null);
  const taken = reasons.find((reason) => reason.stage === 'launch');
  switch (step.status) {
    case 'COMPLETE':
      return taken ? `${pod}: ${taken.text}.` : `${pod} is done.`;
    case 'WAITING':
      if (phase.strategy === 'canary' && plan.status !== 'WAITING') return `${pod} is a canary step: it waits for an operator's Continue.`;
      if (phase.strategy === 'canary') return `${pod} is a canary step: press Continue on the ${phase.name} phase to let it go.`;
      return `${pod} is held: the ${phase.status === 'WAITING' ? 'phase' : 'plan'} is interrupted. Continue lets it go on.`;
    case 'DELAYED':
      return `${pod} failed and backs off before it tries again.`;
    case 'STARTING':
      return taken ? `${pod} was launched (${taken.text}); waiting for TASK_RUNNING.` : `${pod} was launched; waiting for TASK_RUNNING.`;
    case 'STARTED':
      return `${pod} is running; the step completes when its readiness check passes.`;
    case 'ERROR':
      return `${pod} cannot be deployed: ${plan.errors?.join('; ') ?? 'the configuration is invalid'}.`;
    default:
      break;
  }
  if (declined.length > 0) {
    const byStage = new Map<string, number>();
    for (const reason of declined) byStage.set(reason.stage ?? '?', (byStage.get(reason.stage ?? '?') ?? 0) + 1);
    const stages = [...byStage].map(([stage, count]) => `${stage} ×${count}`).join(', ');
    return `${pod} is not placed: the last ${declined.length === 1 ? 'offer was' : `${declined.length} offers were`} turned down (${stages}).`;
  }
  const other = reasons.find((reason) => reason.agent === null && reason.stage === null);
  if (other) return `${pod}: ${other.text}.`;
  const index = phase.steps.indexOf(step);
  const before = phase.steps.slice(0, index).find((earlier) => earlier.status !== 'COMPLETE');
  if ((phase.strategy === 'serial' || phase.strategy === 'canary') && before)
    return `${pod} waits for ${stepPod(before)}: the ${phase.name} phase goes one step at a time.`;
  if (plan.status === 'WAITING') return `${pod} waits: the ${plan.name} plan is interrupted.`;
  return `${pod} has had no offer to evaluate yet.`;
}

/** Which controls make sense for a plan, a phase or a step in its status (the others are shown disabled). */
export function canContinue(status: string): boolean {
  return status === 'WAITING';
}

export function canInterrupt(status: string): boolean {
  return status !== 'COMPLETE' && status !== 'WAITING';
}
