import type { Purpose, Right, Role } from './purposes.js';

/**
 * Who is calling: an administrator (everything, every segment), a segment operator (people and adjudications
 * of its segments) or a relying party (its rights, for its purposes, in its segments).
 */
export interface Principal {
  readonly id: string;
  /**
   * `citizen`: a signed-in citizen acting on their own data; `system`: the registry itself, for work nobody
   * asked for in a request (finishing an interrupted re-key at start-up). Neither is stored as a principal.
   */
  readonly role: Role | 'citizen' | 'system';
  readonly name: string;
  readonly purposes: readonly Purpose[];
  readonly segments: readonly string[];
  readonly rights: readonly Right[];
  /** Captures for this principal must pass the liveness check (a party with its own trusted cameras opts in). */
  readonly requireLiveness: boolean;
  /** The templates this party enrols are kept under its own template view (see renewable templates). */
  readonly ownTemplateView: boolean;
}

/** The caller and the request, as services see them. */
export interface CallContext {
  readonly principal: Principal;
  readonly requestId: string;
  /** Present when the client sent `Idempotency-Key`: the key and a hash of the request it names. */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}
