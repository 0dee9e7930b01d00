import type { CallContext } from '../access/principal.js';
import type { PseudonymsRepository } from './pseudonyms.repository.js';

/**
 * Pseudonyms as a relying-party application may use them, without ever seeing a real person id: whether a
 * name is one the calling party was given (before linking it to a payment method), and, for a signed-in
 * citizen's own pages, the names every party knows them by (so a service shows the citizen their own rows).
 */
export class PartyNames {
  constructor(private readonly pseudonyms: PseudonymsRepository) {}

  /** Whether the calling party was ever given this pseudonym. */
  async known(ctx: CallContext, pseudonym: string): Promise<boolean> {
    return (await this.pseudonyms.personOf(ctx.principal.id, pseudonym)) !== undefined;
  }

  /** The citizen's pseudonyms, per party (call only for the signed-in citizen themselves). */
  async namesOf(personId: string): Promise<{ partyId: string; pseudonym: string }[]> {
    const rows = await this.pseudonyms.ofPerson(personId);
    return rows.map((r) => ({ partyId: r.relying_party_id, pseudonym: r.pseudonym }));
  }
}
