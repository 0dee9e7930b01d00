import { describe, expect, it } from 'vitest';
import { fakeTx, fixedClock, sequentialIds, type Calls } from '../../../test/fakes.js';
import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import type { GrantRow, PersonRow, PrincipalRow, Repositories } from '../../repositories.js';
import { citizenContext } from './citizen-principal.js';
import { CitizenConsentsService } from './citizen-consents.service.js';
import type { SignedInCitizen } from './citizen-sessions.service.js';

const NOW = '2026-11-23T12:00:00.000Z';
const RULES = { ageOfConsent: 18, minorPurposes: ['school_meals'] };
const METRO = {
  id: 'rp_metro',
  role: 'relying_party',
  name: 'Metro',
  purposes: JSON.stringify(['transit_fare', 'school_meals']),
  revoked_at: null,
} as PrincipalRow;

const person = (overrides: Partial<PersonRow> = {}): PersonRow => ({
  id: 'psn_anna',
  segment_id: 'moscow',
  status: 'active',
  enrolled_by: 'rp_metro',
  created_at: NOW,
  deleted_at: null,
  birth_date: '1990-01-01',
  ...overrides,
});

interface World {
  readonly subject?: PersonRow;
  readonly actor?: 'self' | 'guardian';
  readonly parties?: PrincipalRow[];
  readonly grants?: GrantRow[];
  /** What an earlier request with the same Idempotency-Key stored. */
  readonly replayed?: unknown;
}

/** The citizen consent service over fakes; `calls` is every write, audit record and receipt, in order. */
function consents(world: World = {}) {
  const calls: Calls = [];
  const grants = [...(world.grants ?? [])];
  const repos = {
    principals: { find: (id: string) => Promise.resolve((world.parties ?? [METRO]).find((p) => p.id === id)) },
    consent: {
      findGrant: (id: string) => Promise.resolve(grants.find((g) => g.id === id)),
      revokeFor: (tx: Tx, grant: unknown, _at: string, by: string) => {
        calls.push(['supersede', tx, grant, by]);
        return Promise.resolve(1);
      },
      insertGrant: (tx: Tx, row: GrantRow) => Promise.resolve(void calls.push(['grant', tx, row])),
      revokeGrant: (tx: Tx, id: string) => {
        calls.push(['revoke', tx, id]);
        return Promise.resolve(grants.some((g) => g.id === id && g.revoked_at === null));
      },
    },
  } as unknown as Pick<Repositories, 'consent' | 'principals'>;
  const service = new CitizenConsentsService(
    repos,
    {
      resolve: (session: SignedInCitizen, personId?: string) => {
        const subject = world.subject ?? person();
        if ((personId ?? session.personId) !== subject.id) {
          return Promise.reject(new AppError('citizen.not_allowed', 'not yours'));
        }
        return Promise.resolve({ person: subject, actor: world.actor ?? 'self', rules: RULES } as never);
      },
    },
    {
      record: (tx, ctx, fact) => {
        calls.push(['audit', tx, ctx.principal.role, fact.action, fact.detail]);
        return Promise.resolve('evt_1');
      },
    },
    { of: (eventId, kind) => Promise.resolve({ kind, auditEventId: eventId } as never) },
    {
      replay: <T>() => Promise.resolve(world.replayed as T | undefined),
      async commit<T>(_ctx: unknown, _status: number, work: (tx: Tx) => Promise<T | AppError>) {
        const value = await work(fakeTx);
        if (value instanceof AppError) throw value;
        return { value, fresh: true };
      },
    },
    fixedClock(NOW),
    sequentialIds(),
  );
  return { service, calls };
}

const session = {
  personId: 'psn_anna',
  method: 'face',
  expiresAt: NOW,
  tokenHash: 'h',
  requestId: 'req_1',
} as SignedInCitizen;
const call = { session, ctx: citizenContext('psn_anna', 'req_1') };

describe('CitizenConsentsService grants (fakes)', () => {
  it('grants: supersedes the live grant to that party and purpose, records it, and answers with its receipt', async () => {
    const { service, calls } = consents();
    const answer = await service.grant(call, { relyingPartyId: 'rp_metro', purpose: 'transit_fare', scope: 'all' });
    expect(answer).toMatchObject({
      id: 'cns_1',
      consent: { relyingPartyId: 'rp_metro', purpose: 'transit_fare', scope: 'all', source: 'citizen', active: true },
      receipt: { kind: 'consent.granted', auditEventId: 'evt_1' },
    });
    expect(calls).toEqual([
      [
        'supersede',
        fakeTx,
        { personId: 'psn_anna', relyingPartyId: 'rp_metro', purpose: 'transit_fare' },
        'superseded:cns_1',
      ],
      ['grant', fakeTx, expect.objectContaining({ id: 'cns_1', granted_by: 'psn_anna', expires_at: null })],
      ['audit', fakeTx, 'citizen', 'consent.grant', expect.objectContaining({ consentId: 'cns_1', superseded: 1 })],
    ]);
  });

  it('refuses a party that does not exist, is revoked, or is not registered for the purpose', async () => {
    const revoked = { ...METRO, id: 'rp_gone', revoked_at: NOW };
    const { service, calls } = consents({ parties: [METRO, revoked] });
    const grant = (relyingPartyId: string, purpose = 'transit_fare') =>
      service.grant(call, { relyingPartyId, purpose });
    await expect(grant('rp_nobody')).rejects.toMatchObject({ code: 'relying_party.not_found' });
    await expect(grant('rp_gone')).rejects.toMatchObject({ code: 'relying_party.not_found' });
    await expect(grant('rp_metro', 'parking')).rejects.toMatchObject({
      code: 'consent.purpose_not_offered',
      data: { purposes: ['transit_fare', 'school_meals'] },
    });
    expect(calls).toEqual([]);
  });

  it("a minor's consent: only a guardian grants it, and only for the purposes the segment allows minors", async () => {
    const kid = person({ id: 'psn_kid', birth_date: '2015-03-01' });
    const asKid = consents({ subject: kid, actor: 'self' });
    await expect(
      asKid.service.grant(call, { relyingPartyId: 'rp_metro', purpose: 'school_meals', personId: 'psn_kid' }),
    ).rejects.toMatchObject({ code: 'consent.guardian_required' });
    const asGuardian = consents({ subject: kid, actor: 'guardian' });
    const forKid = { relyingPartyId: 'rp_metro', personId: 'psn_kid' };
    await expect(asGuardian.service.grant(call, { ...forKid, purpose: 'transit_fare' })).rejects.toMatchObject({
      code: 'consent.purpose_forbidden_for_minor',
    });
    const granted = await asGuardian.service.grant(call, { ...forKid, purpose: 'school_meals' });
    expect(granted.consent).toMatchObject({ source: 'guardian', grantedBy: 'psn_anna' });
  });

  it('refuses an expiry already past, and a grant for a person whose biometrics are erased', async () => {
    const { service } = consents();
    await expect(
      service.grant(call, { relyingPartyId: 'rp_metro', purpose: 'transit_fare', expiresAt: NOW }),
    ).rejects.toMatchObject({ code: 'request.invalid' });
    const erased = consents({ subject: person({ status: 'deleted', deleted_at: NOW }) });
    await expect(
      erased.service.grant(call, { relyingPartyId: 'rp_metro', purpose: 'transit_fare' }),
    ).rejects.toMatchObject({ code: 'citizen.biometrics_erased' });
  });

  it('a replayed grant answers the first answer, with its receipt, and writes nothing', async () => {
    const first = { answer: { id: 'cns_first', consent: { purpose: 'transit_fare' } }, eventId: 'evt_first' };
    const { service, calls } = consents({ replayed: first });
    const again = await service.grant(call, { relyingPartyId: 'rp_metro', purpose: 'transit_fare' });
    expect(again).toEqual({
      id: 'cns_first',
      consent: { purpose: 'transit_fare' },
      receipt: { kind: 'consent.granted', auditEventId: 'evt_first' },
    });
    expect(calls).toEqual([]);
  });

  it("revocation: someone else's consent and one already revoked are both 'not found'", async () => {
    const grant = (id: string, personId: string, revoked_at: string | null = null) =>
      ({ id, person_id: personId, relying_party_id: 'rp_metro', purpose: 'transit_fare', revoked_at }) as GrantRow;
    const { service, calls } = consents({
      grants: [grant('cns_mine', 'psn_anna'), grant('cns_theirs', 'psn_boris'), grant('cns_old', 'psn_anna', NOW)],
    });
    await expect(service.revoke(call, 'cns_theirs')).rejects.toMatchObject({ code: 'consent.not_found' });
    await expect(service.revoke(call, 'cns_old')).rejects.toMatchObject({ code: 'consent.not_found' });
    const revoked = await service.revoke(call, 'cns_mine');
    expect(revoked.consent).toMatchObject({ revokedAt: NOW, active: false });
    expect(calls.filter((c) => c[0] === 'audit')).toEqual([
      ['audit', fakeTx, 'citizen', 'consent.revoke', { consentId: 'cns_mine', relyingPartyId: 'rp_metro' }],
    ]);
  });
});
