import { describe, expect, it } from 'vitest';
import { callOf, fakeTransactor, fakeTx, fixedClock, sequentialIds, type Calls } from '../../../test/fakes.js';
import type { Tx } from '../../db/executor.js';
import { operatorMay } from '../access/access-policy.js';
import { AppError } from '../../errors/app-error.js';
import type { PrincipalRow, Repositories } from '../../repositories.js';
import type { AuditFact } from '../audit/audit.service.js';
import type { NewIncident } from './incidents.service.js';
import { IncidentsService } from './incidents.service.js';

const NOW = '2026-11-23T12:00:00.000Z';

const party = (overrides: Partial<PrincipalRow>) =>
  ({
    role: 'relying_party',
    name: 'Metro',
    segments: '["moscow","kazan"]',
    own_template_view: 0,
    ...overrides,
  }) as PrincipalRow;

const PRINCIPALS = [
  party({ id: 'rp_metro' }),
  party({ id: 'rp_bank', name: 'Bank', segments: '["moscow"]', own_template_view: 1 }),
  party({ id: 'op_moscow', role: 'operator', name: 'Moscow operator', segments: '["moscow"]' }),
];

/** The incident service over fakes; `calls` is every write, audit record, re-key and delivery, in order. */
function incidents(options: { affected?: string[]; denied?: boolean } = {}) {
  const calls: Calls = [];
  const transactions = fakeTransactor();
  const repos = {
    principals: {
      find: (id: string) => Promise.resolve(PRINCIPALS.find((p) => p.id === id)),
      revoke: (tx: Tx, id: string) => {
        calls.push(['revoke', tx, id]);
        return Promise.resolve(true);
      },
    },
    incidents: {
      affected: (scope: unknown) => {
        calls.push(['affected', scope]);
        return Promise.resolve(options.affected ?? ['psn_1', 'psn_2']);
      },
      insert: (tx: Tx, row: { id: string; affected: number }) =>
        Promise.resolve(void calls.push(['incident', tx, row.id, row.affected])),
      insertNotifications: (tx: Tx, rows: { person_id: string; body: string }[]) =>
        Promise.resolve(void calls.push(['notices', tx, rows.map((r) => r.person_id), rows[0]?.body])),
    },
  } as unknown as Pick<Repositories, 'incidents' | 'principals'>;
  const service = new IncidentsService(
    repos,
    transactions,
    {
      // The pure rules decide, as in AccessService (which also records the refusal).
      authoriseOperator: (ctx, _action, segment, required) =>
        options.denied || !operatorMay(ctx.principal, segment, required).allowed
          ? Promise.reject(new AppError('auth.forbidden', 'no'))
          : Promise.resolve(),
    },
    {
      record: (tx: Tx, _ctx: unknown, fact: AuditFact) => {
        calls.push(['audit', tx, fact.action, fact.result]);
        return Promise.resolve('evt_1');
      },
    },
    {
      rekey: (_ctx, segment, o) => {
        calls.push(['rekey', segment, o?.relyingPartyId]);
        const view = {
          relyingPartyId: o?.relyingPartyId ?? null,
          transformVersion: 2,
          templatesMoved: 3,
          destroyedVersions: [1],
        };
        return Promise.resolve({
          segment,
          transformVersion: 2,
          templatesMoved: 3,
          destroyedVersions: [1],
          views: [view],
        });
      },
    },
    { deliver: () => Promise.resolve((calls.push(['deliver']), 2)) },
    fixedClock(NOW),
    sequentialIds(),
  );
  return { service, calls, transactions };
}

const admin = callOf({ id: 'adm_1', role: 'admin' });
const leak = (overrides: Partial<NewIncident> = {}): NewIncident => ({
  responsible: { kind: 'relying_party', id: 'rp_metro' },
  scope: { segmentId: 'moscow' },
  description: 'A laptop with an export was stolen',
  contact: 'dpo@metro.example',
  ...overrides,
});

describe('IncidentsService (fakes)', () => {
  it('records the incident, one notice per affected citizen and its audit record in one transaction, then re-keys and delivers', async () => {
    const { service, calls, transactions } = incidents();
    const result = await service.open(admin, leak());
    expect(result).toEqual({
      id: 'inc_1',
      affectedCitizens: 2,
      notificationsQueued: 2,
      notificationsSent: 2,
      rekeyed: [{ segment: 'moscow', relyingPartyId: null, transformVersion: 2, templatesMoved: 3 }],
      credentialsRevoked: false,
    });
    expect(transactions.opened).toBe(1);
    expect(calls.map((c) => c[0])).toEqual(['affected', 'incident', 'notices', 'audit', 'rekey', 'deliver']);
    const notices = calls.find((c) => c[0] === 'notices')!;
    expect(notices[1]).toBe(fakeTx);
    expect(notices[2]).toEqual(['psn_1', 'psn_2']);
    expect(notices[3]).toContain('Responsible: Metro');
    expect(notices[3]).toContain('Contact: dpo@metro.example');
    expect(notices[3]).not.toContain("responsible party's access was revoked");
  });

  it("re-keys only the party's own template view when the leak is the party's and it keeps one", async () => {
    const { service, calls } = incidents();
    await service.open(admin, leak({ scope: { relyingPartyId: 'rp_bank' } }));
    expect(calls.filter((c) => c[0] === 'rekey')).toEqual([['rekey', 'moscow', 'rp_bank']]);
    const shared = incidents();
    await shared.service.open(admin, leak({ scope: { relyingPartyId: 'rp_metro' } }));
    expect(shared.calls.filter((c) => c[0] === 'rekey')).toEqual([
      ['rekey', 'moscow', undefined],
      ['rekey', 'kazan', undefined],
    ]);
  });

  it("revokes the responsible party's credentials with its audit record in one transaction, when asked", async () => {
    const { service, calls, transactions } = incidents();
    const result = await service.open(admin, leak({ revokeCredentials: true, rekey: false }));
    expect(result.credentialsRevoked).toBe(true);
    expect(transactions.opened).toBe(2);
    expect(calls.slice(-3)).toEqual([
      ['revoke', fakeTx, 'rp_metro'],
      ['audit', fakeTx, 'principal.revoke', 'revoked'],
      ['deliver'],
    ]);
    expect(calls.find((c) => c[0] === 'notices')![3]).toContain("responsible party's access was revoked");
  });

  it('refuses an empty scope, an operator without a segment, and a responsible party of the wrong kind, writing nothing', async () => {
    const { service, calls } = incidents();
    await expect(service.open(admin, leak({ scope: {} }))).rejects.toMatchObject({ code: 'incident.scope_empty' });
    const operator = callOf({ id: 'op_moscow', role: 'operator' });
    await expect(service.open(operator, leak({ scope: { relyingPartyId: 'rp_metro' } }))).rejects.toMatchObject({
      code: 'auth.forbidden',
    });
    await expect(
      service.open(admin, leak({ responsible: { kind: 'operator', id: 'rp_metro' } })),
    ).rejects.toMatchObject({ code: 'relying_party.not_found' });
    await expect(
      service.open(admin, leak({ scope: { segmentId: 'moscow', relyingPartyId: 'op_moscow' } })),
    ).rejects.toMatchObject({ code: 'relying_party.not_found' });
    expect(calls).toEqual([]);
  });

  it('refuses a caller the authorisation step refuses, before reading anything', async () => {
    const { service, calls } = incidents({ denied: true });
    await expect(service.open(admin, leak())).rejects.toMatchObject({ code: 'auth.forbidden' });
    expect(calls).toEqual([]);
  });
});
