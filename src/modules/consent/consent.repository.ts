import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { ConsentGrantTable, Database, GuardianshipTable, PersonLockTable } from '../../db/schema.js';
import type { ConsentState } from './consent-policy.js';

export type GrantRow = Selectable<ConsentGrantTable>;
export type LockRow = Selectable<PersonLockTable>;
export type GuardianshipRow = Selectable<GuardianshipTable>;

/** Bound on one `IN (...)` list (SQLite's parameter limit is far above it). */
const MAX_IDS = 1000;

/** SQL for grants, locks and guardianships. Grants and locks are never deleted: revocation is recorded. */
export function createConsentRepository(db: Kysely<Database>) {
  return {
    async insertGrant(tx: Tx, row: GrantRow): Promise<void> {
      await tx.insertInto('consent_grants').values(row).execute();
    },

    async insertGrants(tx: Tx, rows: readonly GrantRow[]): Promise<void> {
      if (rows.length)
        await tx
          .insertInto('consent_grants')
          .values([...rows])
          .execute();
    },

    findGrant(id: string): Promise<GrantRow | undefined> {
      return db.selectFrom('consent_grants').selectAll().where('id', '=', id).executeTakeFirst();
    },

    listGrants(personId: string): Promise<GrantRow[]> {
      return db
        .selectFrom('consent_grants')
        .selectAll()
        .where('person_id', '=', personId)
        .orderBy('granted_at')
        .orderBy('id')
        .execute();
    },

    async revokeGrant(tx: Tx, id: string, at: string, by: string): Promise<boolean> {
      const r = await tx
        .updateTable('consent_grants')
        .set({ revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Revokes a person's grants to one party for one purpose (a new grant supersedes them); returns how many. */
    async revokeFor(
      tx: Tx,
      grant: { personId: string; relyingPartyId: string; purpose: string },
      at: string,
      by: string,
    ): Promise<number> {
      const r = await tx
        .updateTable('consent_grants')
        .set({ revoked_at: at, revoked_by: by })
        .where('person_id', '=', grant.personId)
        .where('relying_party_id', '=', grant.relyingPartyId)
        .where('purpose', '=', grant.purpose)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /** Revokes every grant of a person (erasure); returns how many were active. */
    async revokeAllOf(tx: Tx, personId: string, at: string, by: string): Promise<number> {
      const r = await tx
        .updateTable('consent_grants')
        .set({ revoked_at: at, revoked_by: by })
        .where('person_id', '=', personId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async insertLock(tx: Tx, row: LockRow): Promise<void> {
      await tx.insertInto('person_locks').values(row).execute();
    },

    findLock(id: string): Promise<LockRow | undefined> {
      return db.selectFrom('person_locks').selectAll().where('id', '=', id).executeTakeFirst();
    },

    listLocks(personId: string): Promise<LockRow[]> {
      return db
        .selectFrom('person_locks')
        .selectAll()
        .where('person_id', '=', personId)
        .orderBy('created_at')
        .execute();
    },

    async updateLock(tx: Tx, id: string, change: { removed_at?: string; unlocked_until?: string }) {
      const r = await tx
        .updateTable('person_locks')
        .set(change)
        .where('id', '=', id)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async insertGuardianship(tx: Tx, row: GuardianshipRow): Promise<void> {
      await tx.insertInto('guardianships').values(row).execute();
    },

    async endGuardianship(tx: Tx, minorId: string, guardianId: string, at: string): Promise<boolean> {
      const r = await tx
        .updateTable('guardianships')
        .set({ removed_at: at })
        .where('minor_id', '=', minorId)
        .where('guardian_id', '=', guardianId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async isGuardian(minorId: string, guardianId: string): Promise<boolean> {
      const row = await db
        .selectFrom('guardianships')
        .select('minor_id')
        .where('minor_id', '=', minorId)
        .where('guardian_id', '=', guardianId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return row !== undefined;
    },

    async guardiansOf(minorId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('guardianships')
        .select('guardian_id')
        .where('minor_id', '=', minorId)
        .where('removed_at', 'is', null)
        .execute();
      return rows.map((r) => r.guardian_id);
    },

    async wardsOf(guardianId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('guardianships')
        .select('minor_id')
        .where('guardian_id', '=', guardianId)
        .where('removed_at', 'is', null)
        .execute();
      return rows.map((r) => r.minor_id);
    },

    /**
     * The consent state of active people among `personIds` (absent: unknown, erased or closed), read in three
     * queries whatever their number.
     */
    async stateOf(personIds: readonly string[]): Promise<Map<string, ConsentState>> {
      if (personIds.length > MAX_IDS) throw new RangeError(`at most ${MAX_IDS} ids per query`);
      const out = new Map<string, ConsentState>();
      if (personIds.length === 0) return out;
      const ids = [...personIds];
      const [people, grants, locks] = await Promise.all([
        db
          .selectFrom('persons as p')
          .innerJoin('segments as s', 's.id', 'p.segment_id')
          .select(['p.id', 'p.segment_id', 'p.birth_date', 's.age_of_consent', 's.minor_purposes'])
          .where('p.id', 'in', ids)
          .where('p.status', '=', 'active')
          .execute(),
        db
          .selectFrom('consent_grants')
          .select(['person_id', 'relying_party_id', 'purpose', 'scope', 'expires_at', 'revoked_at'])
          .where('person_id', 'in', ids)
          .where('revoked_at', 'is', null)
          .execute(),
        db
          .selectFrom('person_locks')
          .select(['person_id', 'purpose', 'unlocked_until', 'removed_at'])
          .where('person_id', 'in', ids)
          .where('removed_at', 'is', null)
          .execute(),
      ]);
      for (const p of people) {
        out.set(p.id, {
          segmentId: p.segment_id,
          birthDate: p.birth_date,
          rules: { ageOfConsent: p.age_of_consent, minorPurposes: JSON.parse(p.minor_purposes) as string[] },
          grants: grants
            .filter((g) => g.person_id === p.id)
            .map((g) => ({
              relyingPartyId: g.relying_party_id,
              purpose: g.purpose,
              scope: g.scope,
              expiresAt: g.expires_at,
              revokedAt: g.revoked_at,
            })),
          locks: locks
            .filter((l) => l.person_id === p.id)
            .map((l) => ({ purpose: l.purpose, unlockedUntil: l.unlocked_until, removedAt: l.removed_at })),
        });
      }
      return out;
    },

    /** Segments other than the party's own whose people granted it this purpose across segments. */
    async guestSegments(relyingPartyId: string, purpose: string): Promise<string[]> {
      const rows = await db
        .selectFrom('consent_grants as g')
        .innerJoin('persons as p', 'p.id', 'g.person_id')
        .select('p.segment_id')
        .distinct()
        .where('g.relying_party_id', '=', relyingPartyId)
        .where('g.purpose', '=', purpose)
        .where('g.scope', '=', 'all')
        .where('g.revoked_at', 'is', null)
        .where('p.status', '=', 'active')
        .execute();
      return rows.map((r) => r.segment_id);
    },
  };
}

export type ConsentRepository = ReturnType<typeof createConsentRepository>;
