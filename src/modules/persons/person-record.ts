import type { GrantRow, LockRow, Repositories } from '../../repositories.js';
import { grantIsActive, isMinor, lockIsActive } from '../consent/consent-policy.js';
import type { PersonRow } from './persons.repository.js';

/** A consent grant as the citizen, their guardian and operators see it. */
export function toConsent(g: GrantRow, now: string) {
  return {
    id: g.id,
    relyingPartyId: g.relying_party_id,
    purpose: g.purpose,
    scope: g.scope,
    source: g.source,
    grantedBy: g.granted_by,
    grantedAt: g.granted_at,
    expiresAt: g.expires_at,
    revokedAt: g.revoked_at,
    active: grantIsActive({ expiresAt: g.expires_at, revokedAt: g.revoked_at }, now),
  };
}

export function toLock(l: LockRow, now: string) {
  const lock = { purpose: l.purpose, unlockedUntil: l.unlocked_until, removedAt: l.removed_at };
  return {
    id: l.id,
    purpose: l.purpose,
    createdAt: l.created_at,
    createdBy: l.created_by,
    unlockedUntil: l.unlocked_until,
    removedAt: l.removed_at,
    active: lockIsActive(lock, now),
  };
}

export type PersonRecord = Awaited<ReturnType<PersonRecords['read']>>;

/**
 * Everything held about a person but the vectors: the person, guardianships, consents (with their history),
 * locks and template metadata. Shared by the operator's view, the citizen's own view and the export.
 */
export class PersonRecords {
  constructor(private readonly repos: Pick<Repositories, 'segments' | 'consent' | 'templates' | 'provenance'>) {}

  async read(person: PersonRow, now: string) {
    const { consent } = this.repos;
    const [rules, grants, locks, templates, guardians, wards, provenance] = await Promise.all([
      this.repos.segments.rulesOf(person.segment_id).then((r) => r!),
      consent.listGrants(person.id),
      consent.listLocks(person.id),
      this.repos.templates.metadataOf(person.id),
      consent.guardiansOf(person.id),
      consent.wardsOf(person.id),
      this.repos.provenance.of(person.id),
    ]);
    return {
      citizenId: person.id,
      segment: person.segment_id,
      status: person.status,
      createdAt: person.created_at,
      enrolledBy: person.enrolled_by,
      erasedAt: person.deleted_at,
      birthDate: person.birth_date,
      minor: isMinor(person.birth_date, rules, now),
      guardians,
      wards,
      // Where the biometrics came from when a party (a bank's transfer) handed them over; else null.
      provenance: provenance
        ? {
            source: provenance.source_party,
            reference: provenance.reference,
            capturedAt: provenance.captured_at,
            receivedAt: provenance.received_at,
            evidence: JSON.parse(provenance.evidence) as { kind: string; reference: string; at: string },
          }
        : null,
      consents: grants.map((g) => toConsent(g, now)),
      locks: locks.map((l) => toLock(l, now)),
      templates: templates.map((t) => ({
        templateId: t.id,
        modelPack: t.model_pack,
        channel: t.channel,
        enrolledBy: t.enrolled_by,
        createdAt: t.created_at,
        quality: JSON.parse(t.quality) as Record<string, number>,
        liveness: t.liveness,
        transformVersion: t.transform_version ?? 0,
      })),
    };
  }
}
