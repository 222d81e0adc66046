/**
 * Rejections more than one handler gives: expected failures are values with a
 * stable `code`, never exceptions.
 */
import type { Rejection } from './effects.js';

export function unknownFramework(frameworkId: string): Rejection {
  return { code: 'unknown_framework', message: `framework ${frameworkId} is not subscribed`, frameworkId };
}

export function unknownAgent(agentId: string): Rejection {
  return { code: 'unknown_agent', message: `agent ${agentId} is not registered`, agentId };
}
