/**
 * Plans of a service run by `allot service run`, read from its DC/OS
 * Commons API (`GET /v1/plans`, `GET /v1/plans/{plan}`; the name from
 * `GET /v1/configurations/target`) and turned into the simulator's plan
 * frames, so the connected mode draws them with the same PlanTree. A step's
 * `message` holds its offer-evaluation reasons joined by "; " (or
 * "<step> has status <status>" when there are none). The service API lets
 * any origin read by default (`--cors-origin`, adapters/src/service/serviceCors.ts).
 */
import type { PlanFrame, PlanPhaseFrame } from '../worker/frame.js';

type Json = Record<string, any>;

const PLAN_KINDS = new Set(['deploy', 'recovery', 'update', 'decommission']);

/** The service API's address, as typed: trims, adds http:// and drops a trailing slash. */
export function normaliseServiceUrl(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** One `GET /v1/plans/{plan}` answer (DC/OS PlanInfo) as a plan frame. */
export function planFrameOf(service: string, name: string, info: Json): PlanFrame {
  const phases: PlanPhaseFrame[] = ((info.phases ?? []) as Json[]).map((phase) => ({
    name: String(phase.name),
    status: String(phase.status),
    strategy: String(phase.strategy ?? 'serial'),
    steps: ((phase.steps ?? []) as Json[]).map((step) => {
      const message = typeof step.message === 'string' ? step.message : '';
      const plain = message === '' || message === `${step.name} has status ${step.status}`;
      return { name: String(step.name), status: String(step.status), reasons: plain ? [] : message.split('; ') };
    }),
  }));
  const errors = Array.isArray(info.errors) ? info.errors.map(String) : [];
  return {
    framework: service,
    name,
    kind: PLAN_KINDS.has(name) ? name : 'custom',
    status: String(info.status),
    strategy: String(info.strategy ?? 'serial'),
    phases,
    ...(errors.length ? { errors } : {}),
  };
}

async function json(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  // 202 (in progress) and 417 (errors) still carry the plan.
  if (![200, 202, 417].includes(response.status)) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}

/** Every plan of the service at `url`, in the order `GET /v1/plans` lists them. */
export async function fetchServicePlans(url: string): Promise<{ service: string; plans: PlanFrame[] }> {
  const names = await json(`${url}/v1/plans`);
  if (!Array.isArray(names)) throw new Error(`GET ${url}/v1/plans: expected a list of plan names`);
  let service = new URL(url).host;
  try {
    const target = (await json(`${url}/v1/configurations/target`)) as Json;
    if (typeof target?.name === 'string') service = target.name;
  } catch {
    // An API without configurations still has plans; the address names the service.
  }
  const plans = await Promise.all(
    names.map(async (name) =>
      planFrameOf(service, String(name), (await json(`${url}/v1/plans/${encodeURIComponent(String(name))}`)) as Json),
    ),
  );
  return { service, plans };
}
