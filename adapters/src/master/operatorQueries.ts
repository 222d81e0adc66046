/**
 * Operator read calls beyond the first set, in the shapes of Mesos's
 * operator API docs: GET_FLAGS, GET_MASTER, GET_EXECUTORS, GET_WEIGHTS,
 * GET_QUOTA, GET_OPERATIONS. The master serves no files of its own (it logs
 * to stdout), so LIST_FILES and READ_FILE answer 404 for every path, as a
 * Mesos master without `--log_dir` does; sandboxes are read on the agents.
 */
import { masterInfoJson } from './masterContext.js';
import type { MasterContext } from './masterContext.js';
import type { HttpFailure } from './httpErrors.js';
import { failure } from './httpErrors.js';
import { scheduleJson, statusJson as maintenanceStatusJson } from './maintenanceApi.js';

type Json = Record<string, any>;

export type QueryAnswer = { ok: true; key: string; body: unknown } | { ok: false; problem: HttpFailure };

const answer = (key: string, body: unknown): QueryAnswer => ({ ok: true, key, body });

export function operatorQuery(context: MasterContext, call: Json): QueryAnswer | null {
  const master = context.host.master;
  switch (call.type) {
    case 'GET_FLAGS':
      return answer('get_flags', { flags: Object.entries(context.settings.flags).map(([name, value]) => ({ name, value })) });
    case 'GET_MASTER':
      return answer('get_master', {
        master_info: { ...masterInfoJson(context), pid: `master@${context.settings.ip}:${context.settings.port}` },
        start_time: context.settings.startedAtMs / 1000,
        elected_time: context.settings.startedAtMs / 1000,
      });
    case 'GET_EXECUTORS':
      return answer('get_executors', {
        executors: context.executors.all().map((entry) => ({ agent_id: { value: entry.agentId }, executor_info: entry.info })),
      });
    case 'GET_WEIGHTS': {
      const roles = new Set([...master.allocator.roles.keys()]);
      const weight_infos = [...roles]
        .sort()
        .map((role) => ({ role, weight: master.allocator.weight(role) }))
        .filter((info) => info.weight !== 1);
      return answer('get_weights', { weight_infos });
    }
    case 'GET_QUOTA': {
      const configs = [...master.allocator.quota.roles()].sort().flatMap((role) => {
        const quota = master.allocator.quota.quotaOf(role);
        if (!quota) return [];
        const scalars = (map: Record<string, number>) => Object.fromEntries(Object.entries(map).map(([name, value]) => [name, { value }]));
        return [{ role, guarantees: scalars(quota.guarantee), limits: scalars(quota.limit) }];
      });
      // Mesos 1.9+: `configs`; `infos` (the pre-1.9 QuotaInfo list) stays for older clients.
      const infos = configs.map((config) => ({
        role: config.role,
        guarantee: Object.entries(config.guarantees).map(([name, { value }]) => ({ name, type: 'SCALAR', scalar: { value } })),
      }));
      return answer('get_quota', { status: { infos, configs } });
    }
    case 'GET_MAINTENANCE_SCHEDULE':
      return answer('get_maintenance_schedule', { schedule: scheduleJson(context) });
    case 'GET_MAINTENANCE_STATUS':
      return answer('get_maintenance_status', { status: maintenanceStatusJson(context) });
    case 'GET_OPERATIONS':
      // Reservations and volumes apply at once (no resource providers, no operation feedback): none is ever pending.
      return answer('get_operations', { operations: [] });
    case 'LIST_FILES':
    case 'READ_FILE': {
      const path = String((call.list_files ?? call.read_file)?.path ?? '');
      return {
        ok: false,
        problem: failure(404, `No such file or directory: ${path.slice(0, 200)} (the master serves no files; read sandboxes on the agent)`),
      };
    }
    default:
      return null;
  }
}
