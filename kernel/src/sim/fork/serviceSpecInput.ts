/**
 * A service spec as the scheduler holds it (sdk/serviceSpec.ts, as its state
 * store keeps it) written back as the `service` of a scenario: what the
 * reader derives (parsed placement constraints, `portSpecs`) goes back to
 * its written form, and absent plan shapes are left out. Reading the result
 * with sdk/serviceSpecReader.ts gives the same spec. Pure.
 */
type Json = Record<string, any>;

export function serviceSpecInput(spec: Json): Json {
  const { deployPlan, updatePlan, pods, ...rest } = spec;
  return {
    ...rest,
    pods: ((pods ?? []) as Json[]).map(({ constraints: _constraints, tasks, ...pod }) => ({
      ...pod,
      tasks: ((tasks ?? []) as Json[]).map(({ portSpecs, ports, ...task }) => ({
        ...task,
        ports: Array.isArray(portSpecs) && portSpecs.length > 0 ? portSpecs : ports,
      })),
    })),
    ...(deployPlan ? { deployPlan } : {}),
    ...(updatePlan ? { updatePlan } : {}),
  };
}
