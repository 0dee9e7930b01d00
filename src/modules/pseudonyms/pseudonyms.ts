import { createHmac } from 'node:crypto';
import type { Tx } from '../../db/executor.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { base32 } from '../../ports/ids.js';
import type { PseudonymsRepository } from './pseudonyms.repository.js';

/** Where deployment-wide secrets come from (the system keys, wrapped by the master key). */
export interface SecretSource {
  secret(name: string): Promise<Buffer>;
}

/**
 * Pairwise pseudonyms: a relying party knows a person only as HMAC(secret, party ‖ person), stable for that
 * party and unrelated across parties, so two services cannot join their records. The mapping back is stored
 * when a pseudonym is first handed out, in the transaction of the answer that hands it out.
 * Operators and administrators use the real person id (the citizen's `citizenId`).
 */
export class Pseudonyms {
  private key: Buffer | undefined;

  constructor(
    private readonly pseudonyms: PseudonymsRepository,
    private readonly secrets: SecretSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Loads the secret. Call before the first {@link issue}: issuing runs inside a transaction, and on SQLite a
   * read outside it would wait for the transaction's own connection.
   */
  async load(): Promise<void> {
    this.key ??= await this.secrets.secret('pseudonyms');
  }

  /** The pseudonyms of people for one party, recorded for resolution; in the caller's transaction. */
  async issue(tx: Tx, relyingPartyId: string, personIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const personId of new Set(personIds)) out.set(personId, await this.compute(relyingPartyId, personId));
    const at = isoNow(this.clock);
    await this.pseudonyms.insertMany(
      tx,
      [...out].map(([personId, pseudonym]) => ({
        relying_party_id: relyingPartyId,
        pseudonym,
        person_id: personId,
        created_at: at,
      })),
    );
    return out;
  }

  /** The person a party's pseudonym stands for, if that party was ever given it. */
  resolve(relyingPartyId: string, pseudonym: string): Promise<string | undefined> {
    return this.pseudonyms.personOf(relyingPartyId, pseudonym);
  }

  /** Forgets every pseudonym of a person (account closure): no party can name them any more. */
  forget(tx: Tx, personId: string): Promise<void> {
    return this.pseudonyms.deleteOf(tx, personId);
  }

  private async compute(relyingPartyId: string, personId: string): Promise<string> {
    await this.load();
    const mac = createHmac('sha256', this.key!).update(`oblik/pseudonym/v1|${relyingPartyId}|${personId}`).digest();
    return `psn_${base32(mac.subarray(0, 16))}`;
  }
}
