/**
 * The example security file of adapters/README.md ("Security"), shared by
 * the security suites: four principals, an agent secret and rules.
 */
export const EXAMPLE = {
  credentials: [
    { principal: 'spark', secret: 'spark-secret' },
    { principal: 'marathon', secret: 'marathon-secret', tokens: ['marathon-token-0123456789'] },
    { principal: 'admin', tokens: ['admin-token-0123456789abcdef'] },
    { principal: 'viewer', secret: 'viewer-secret' },
  ],
  agentSecret: 'agents-shared-secret',
  authorization: {
    register_frameworks: [
      { principals: ['spark'], roles: ['analytics', 'analytics/*'] },
      { principals: ['marathon'], roles: ['web'] },
    ],
    reserve_resources: [{ principals: ['marathon', 'admin'], roles: ['web'] }],
    launch_tasks: [
      { principals: ['spark'], roles: ['analytics', 'analytics/*'] },
      { principals: ['marathon'], roles: ['web'] },
    ],
    kill_tasks: [{ principals: ['admin'], framework_principals: ['*'] }],
    teardown_frameworks: [{ principals: ['admin'], framework_principals: ['*'] }],
    operator_calls: [
      { principals: ['admin'], calls: ['*'] },
      { principals: ['viewer'], calls: ['GET_HEALTH', 'GET_STATE', 'GET_TASKS'] },
    ],
  },
};
