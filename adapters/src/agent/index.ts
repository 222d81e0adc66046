/**
 * The agent runtime the `allot agent` daemon embeds: resource flags, isolation
 * (cgroups v1/v2, posix), task processes, and the AgentRuntime that ties them
 * to reliable status updates and checkpoint recovery. Explicit export list.
 */
export { AgentRuntime } from './agentRuntime.js';
export type { AgentRuntimeOptions, LaunchResult, KillResult, TaskInfo } from './agentRuntime.js';
export type { LaunchTaskSpec } from './launchSpec.js';
export type { HealthCheckSpec } from './healthCheck.js';
export { parseResources, parseAttributes, detectHostResources, resolveAgentResources, DEFAULT_PORTS } from './resources.js';
export type { AgentResources, ParseResult, HostResourceOptions } from './resources.js';
export { createIsolator, detectCgroupVersion } from './isolation/createIsolator.js';
export type { IsolationMode, IsolatorOptions, IsolatorResult, CgroupVersion } from './isolation/createIsolator.js';
export { CgroupsV1Isolator } from './isolation/cgroupsV1.js';
export { CgroupsV2Isolator } from './isolation/cgroupsV2.js';
export { PosixIsolator } from './isolation/posixIsolator.js';
export { realCgroupFs, plainDirectoryCgroupFs } from './isolation/cgroupFs.js';
export type { CgroupFs } from './isolation/cgroupFs.js';
export { cpuShares, cpuWeightFromShares, cfsQuotaUs, CFS_PERIOD_US } from './isolation/isolator.js';
export type { Isolator, IsolatorKind, ContainerLimits, ContainerUsage, Limitation } from './isolation/isolator.js';
export { createJsonLogger, createMemoryLogger, silentLogger } from './logger.js';
export type { AgentLogger, LogFields, LogLevel } from './logger.js';
export { taskOutcome } from './taskOutcome.js';
export type { StatusUpdate, AcknowledgeResult } from '@allot/kernel';
