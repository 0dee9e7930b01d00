import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { base32 } from '../../ports/ids.js';

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
    private readonly db: Kysely<Database>,
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
  async issue(
    tx: Kysely<Database>,
    relyingPartyId: string,
    personIds: readonly string[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const personId of new Set(personIds)) {
      const pseudonym = await this.compute(relyingPartyId, personId);
      await tx
        .insertInto('pseudonyms')
        .values({ relying_party_id: relyingPartyId, pseudonym, person_id: personId, created_at: isoNow(this.clock) })
        .onConflict((oc) => oc.doNothing())
        .execute();
      out.set(personId, pseudonym);
    }
    return out;
  }

  /** The person a party's pseudonym stands for, if that party was ever given it. */
  async resolve(relyingPartyId: string, pseudonym: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('pseudonyms')
      .select('person_id')
      .where('relying_party_id', '=', relyingPartyId)
      .where('pseudonym', '=', pseudonym)
      .executeTakeFirst();
    return row?.person_id;
  }

  /** Forgets every pseudonym of a person (account closure): no party can name them any more. */
  async forget(tx: Kysely<Database>, personId: string): Promise<void> {
    await tx.deleteFrom('pseudonyms').where('person_id', '=', personId).execute();
  }

  private async compute(relyingPartyId: string, personId: string): Promise<string> {
    await this.load();
    const mac = createHmac('sha256', this.key!).update(`oblik/pseudonym/v1|${relyingPartyId}|${personId}`).digest();
    return `psn_${base32(mac.subarray(0, 16))}`;
  }
}
