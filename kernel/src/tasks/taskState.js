/**
 * The Mesos task states and their legal moves, as one literal table.
 * Terminal states are sticky. Resources are recovered on the first move into a
 * terminal state or TASK_UNREACHABLE. TASK_UNKNOWN appears only in
 * reconciliation replies and is never stored.
 */
export const TASK_STATES = [
    'TASK_STAGING',
    'TASK_STARTING',
    'TASK_RUNNING',
    'TASK_KILLING',
    'TASK_FINISHED',
    'TASK_FAILED',
    'TASK_KILLED',
    'TASK_ERROR',
    'TASK_LOST',
    'TASK_DROPPED',
    'TASK_UNREACHABLE',
    'TASK_GONE',
    'TASK_GONE_BY_OPERATOR',
    'TASK_UNKNOWN',
];
const TERMINAL = new Set([
    'TASK_FINISHED',
    'TASK_FAILED',
    'TASK_KILLED',
    'TASK_ERROR',
    'TASK_LOST',
    'TASK_DROPPED',
    'TASK_GONE',
    'TASK_GONE_BY_OPERATOR',
]);
export function isTerminal(state) {
    return TERMINAL.has(state);
}
/** Terminal or unreachable: the task no longer holds resources. */
export function releasesResources(state) {
    return TERMINAL.has(state) || state === 'TASK_UNREACHABLE';
}
const ENDINGS = [
    'TASK_FINISHED',
    'TASK_FAILED',
    'TASK_KILLED',
    'TASK_ERROR',
    'TASK_LOST',
    'TASK_DROPPED',
    'TASK_GONE',
    'TASK_GONE_BY_OPERATOR',
];
/** from -> the states it may move to. A state may always repeat itself (a resent update). */
export const TASK_TRANSITIONS = {
    TASK_STAGING: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...ENDINGS],
    TASK_STARTING: ['TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...ENDINGS],
    TASK_RUNNING: ['TASK_KILLING', 'TASK_UNREACHABLE', ...ENDINGS],
    TASK_KILLING: ['TASK_UNREACHABLE', ...ENDINGS],
    // An unreachable agent may come back with the task in any live or final state.
    TASK_UNREACHABLE: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', ...ENDINGS],
    TASK_FINISHED: [],
    TASK_FAILED: [],
    TASK_KILLED: [],
    TASK_ERROR: [],
    TASK_LOST: [],
    TASK_DROPPED: [],
    TASK_GONE: [],
    TASK_GONE_BY_OPERATOR: [],
    TASK_UNKNOWN: [],
};
export function canTransition(from, to) {
    if (to === 'TASK_UNKNOWN')
        return false;
    if (from === to)
        return !isTerminal(from);
    return TASK_TRANSITIONS[from].includes(to);
}
