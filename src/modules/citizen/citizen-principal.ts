import type { CallContext, Principal } from '../access/principal.js';

/**
 * A signed-in citizen as the audit and the authorisation step see them: role `citizen`, no rights over anyone
 * else, so every relying-party or operator check refuses them.
 */
export function citizenPrincipal(personId: string): Principal {
  return {
    id: personId,
    role: 'citizen',
    name: 'citizen',
    purposes: [],
    segments: [],
    rights: [],
    requireLiveness: true,
    ownTemplateView: false,
  };
}

export function citizenContext(personId: string, requestId: string): CallContext {
  return { principal: citizenPrincipal(personId), requestId };
}
