import type { CallContext } from './principal.js';

/**
 * The registry acting on its own, as its audit records name it: work done at start-up or in the background
 * that no caller asked for in a request (finishing a re-key a crash interrupted). It holds no rights and is
 * never authenticated; services use it only to record what they did.
 */
export function systemContext(task: string): CallContext {
  return {
    principal: {
      id: 'system',
      role: 'system',
      name: 'Oblik',
      purposes: [],
      segments: [],
      rights: [],
      requireLiveness: false,
      ownTemplateView: false,
    },
    requestId: task,
  };
}
