import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, b64, client, newOperator, newRelyingParty, startTestRegistry, type Reply } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

type Call = (key?: string) => Promise<Reply>;
interface Row {
  readonly endpoint: string;
  readonly call: Call;
  /** Keys whose role may not use the endpoint at all. */
  readonly wrongRole: string[];
  /** `unknown`: the refusal answers exactly as an unknown id does (a person outside an operator's segments). */
  readonly wrongSegment?: { key: () => string; call: Call; unknown?: Call };
  readonly wrongPurpose?: Call;
  readonly noConsent?: { call: Call; expect: (r: Reply) => void };
}

describe.each(dialects)('authorisation matrix on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const citizens: Record<string, string> = {};
  let rows: Row[];
  /** Refused calls that are not in the matrix: an incident without a segment, a citizen acting for another. */
  let others: { endpoint: string; call: () => Promise<Reply> }[];
  const tiny = b64(Buffer.from('not reached: authorisation comes first'));

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    const app = registry.app;
    keys['metro'] = await newRelyingParty(app, { name: 'Metro', purposes: ['transit_fare'], segments: ['moscow'] });
    keys['kazanMetro'] = await newRelyingParty(app, { name: 'Kazan metro', segments: ['kazan'] });
    keys['verifyOnly'] = await newRelyingParty(app, { name: 'Gate', rights: ['verify'] });
    keys['opMoscow'] = await newOperator(app, ['moscow']);
    keys['opKazan'] = await newOperator(app, ['kazan']);
    keys['admin'] = ADMIN_KEY;
    const api = client(app);
    const enrol = async (key: string, segment: string, face: [string, string], consents: string[]) => {
      const r = await api(key)('POST', '/v1/persons', {
        segment,
        channel: 'kiosk',
        image: b64(await readFace('small', ...face)),
        consents,
      });
      if (r.status !== 201) throw new Error(`setup enrolment failed: ${JSON.stringify(r.body)}`);
      // The enrolling party's pseudonym, and (for operators) the citizen's own id from the receipt.
      return [r.body.personId as string, r.body.receipt.citizenId as string] as const;
    };
    [ids['consenting'], citizens['consenting']] = await enrol(
      keys['metro'],
      'moscow',
      ['amy', 'amy1.png'],
      ['transit_fare'],
    );
    [ids['unconsenting'], citizens['unconsenting']] = await enrol(keys['metro'], 'moscow', ['penny', 'penny1.png'], []);
    [ids['kazan'], citizens['kazan']] = await enrol(
      keys['kazanMetro'],
      'kazan',
      ['howard', 'howard1.png'],
      ['transit_fare'],
    );
    const dup = await api(keys['metro'])('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      image: b64(await readFace('small', 'amy', 'amy2.png')),
      consents: [],
    });
    expect(dup.body.code).toBe('enrolment.duplicate');
    ids['adjudication'] = dup.body.data.adjudicationId as string;

    const as =
      (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Call =>
      (key) =>
        api(key)(method, url, body);
    const verify = (personId: string, purpose = 'transit_fare') =>
      as('POST', '/v1/verifications', { personId, purpose, image: tiny });
    const identify = (purpose: string, segment?: string) =>
      as('POST', '/v1/identifications', { purpose, image: tiny, ...(segment ? { segment } : {}) });
    const incident = (scope: Record<string, string>) => ({
      responsible: { kind: 'relying_party', id: 'rp_nobody' },
      scope,
      description: 'not reached: authorisation comes first',
      contact: 'dpo@example.org',
    });
    const nonAdmins = [keys['metro'], keys['opMoscow']];
    const notRelyingParties = [keys['admin'], keys['opMoscow']];
    const notOperators = [keys['metro'], keys['verifyOnly']];
    rows = [
      {
        endpoint: 'POST /v1/segments',
        call: as('POST', '/v1/segments', { id: 'tver', name: 'Tver' }),
        wrongRole: nonAdmins,
      },
      {
        endpoint: 'POST /v1/relying-parties',
        call: as('POST', '/v1/relying-parties', {
          name: 'x',
          purposes: ['parking'],
          segments: ['moscow'],
          rights: ['verify'],
        }),
        wrongRole: nonAdmins,
      },
      { endpoint: 'GET /v1/relying-parties', call: as('GET', '/v1/relying-parties'), wrongRole: nonAdmins },
      {
        endpoint: 'POST /v1/operators',
        call: as('POST', '/v1/operators', { name: 'x', segments: ['moscow'] }),
        wrongRole: nonAdmins,
      },
      { endpoint: 'GET /v1/keys', call: as('GET', '/v1/keys'), wrongRole: nonAdmins },
      {
        endpoint: 'POST /v1/segments/:id/keys/rotate',
        call: as('POST', '/v1/segments/moscow/keys/rotate'),
        wrongRole: nonAdmins,
      },
      { endpoint: 'GET /v1/audit-events', call: as('GET', '/v1/audit-events'), wrongRole: nonAdmins },
      { endpoint: 'GET /v1/operators', call: as('GET', '/v1/operators'), wrongRole: nonAdmins },
      {
        endpoint: 'DELETE /v1/relying-parties/:id',
        call: as('DELETE', '/v1/relying-parties/rp_nobody'),
        wrongRole: nonAdmins,
      },
      {
        endpoint: 'PUT /v1/segments/:id/age-rules',
        call: as('PUT', '/v1/segments/moscow/age-rules', { ageOfConsent: 14, minorPurposes: [] }),
        wrongRole: notOperators,
        wrongSegment: {
          key: () => keys['opKazan']!,
          call: as('PUT', '/v1/segments/moscow/age-rules', { ageOfConsent: 14, minorPurposes: [] }),
        },
      },
      {
        endpoint: 'POST /v1/incidents',
        call: as('POST', '/v1/incidents', incident({ segmentId: 'moscow' })),
        wrongRole: notOperators,
        wrongSegment: {
          key: () => keys['opKazan']!,
          call: as('POST', '/v1/incidents', incident({ segmentId: 'moscow' })),
        },
      },
      {
        endpoint: 'POST /v1/persons',
        call: as('POST', '/v1/persons', { segment: 'moscow', channel: 'kiosk', image: tiny, consents: [] }),
        wrongRole: [...notRelyingParties, keys['verifyOnly']],
        wrongSegment: {
          key: () => keys['metro']!,
          call: as('POST', '/v1/persons', { segment: 'kazan', channel: 'kiosk', image: tiny, consents: [] }),
        },
      },
      {
        endpoint: 'POST /v1/persons/:id/templates',
        call: as('POST', `/v1/persons/${ids['consenting']}/templates`, { image: tiny }),
        // No wrong-segment case: a party names only people it was given pseudonyms for.
        wrongRole: [...notRelyingParties, keys['verifyOnly']],
      },
      {
        endpoint: 'POST /v1/verifications',
        call: verify(ids['consenting']),
        wrongRole: notRelyingParties,
        wrongPurpose: verify(ids['consenting'], 'parking'),
        noConsent: {
          call: verify(ids['unconsenting']),
          // No reason: a lock or a minor's age is the person's business, not the party's.
          expect: (r) => expect([r.status, r.body.code, r.body.data]).toEqual([403, 'consent.missing', undefined]),
        },
      },
      {
        endpoint: 'POST /v1/identifications',
        call: identify('transit_fare'),
        wrongRole: [...notRelyingParties, keys['verifyOnly']],
        wrongSegment: { key: () => keys['metro']!, call: identify('transit_fare', 'kazan') },
        wrongPurpose: identify('parking'),
        noConsent: {
          // Penny enrolled without consent: searching with her own face finds no one (and says nothing of her).
          call: async (key) =>
            api(key)('POST', '/v1/identifications', {
              purpose: 'transit_fare',
              image: b64(await readFace('small', 'penny', 'penny2.png')),
            }),
          expect: (r) => expect([r.status, r.body.candidates]).toEqual([200, []]),
        },
      },
      {
        endpoint: 'GET /v1/persons/:id',
        call: as('GET', `/v1/persons/${citizens['consenting']}`),
        wrongRole: notOperators,
        wrongSegment: {
          key: () => keys['opMoscow']!,
          call: as('GET', `/v1/persons/${citizens['kazan']}`),
          unknown: as('GET', `/v1/persons/${citizens['kazan']}`.replace(/psn_\w+/, 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa')),
        },
      },
      {
        endpoint: 'DELETE /v1/persons/:id',
        call: as('DELETE', `/v1/persons/${citizens['consenting']}`),
        wrongRole: notOperators,
        wrongSegment: {
          key: () => keys['opMoscow']!,
          call: as('DELETE', `/v1/persons/${citizens['kazan']}`),
          unknown: as(
            'DELETE',
            `/v1/persons/${citizens['kazan']}`.replace(/psn_\w+/, 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa'),
          ),
        },
      },
      { endpoint: 'GET /v1/adjudications', call: as('GET', '/v1/adjudications'), wrongRole: notOperators },
      {
        endpoint: 'POST /v1/adjudications/:id/resolution',
        call: as('POST', `/v1/adjudications/${ids['adjudication']}/resolution`, { decision: 'same_person' }),
        wrongRole: notOperators,
        wrongSegment: {
          key: () => keys['opKazan']!,
          call: as('POST', `/v1/adjudications/${ids['adjudication']}/resolution`, { decision: 'same_person' }),
        },
      },
    ];
    others = [
      {
        endpoint: 'POST /v1/incidents (an operator naming no segment)',
        call: () => api(keys['opMoscow'])('POST', '/v1/incidents', incident({ relyingPartyId: 'rp_nobody' })),
      },
    ];
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('refuses every endpoint without a key, or with an unknown one, with 401 auth.unauthorized', async () => {
    for (const row of rows) {
      for (const key of [undefined, 'oblik_unknown-key']) {
        const r = await row.call(key);
        expect([row.endpoint, r.status, r.body.code]).toEqual([row.endpoint, 401, 'auth.unauthorized']);
        expect(r.headers['www-authenticate']).toContain('Bearer');
      }
    }
  });

  it('refuses the wrong role with 403 auth.forbidden', async () => {
    for (const row of rows) {
      for (const key of row.wrongRole) {
        const r = await row.call(key);
        expect([row.endpoint, r.status, r.body.code]).toEqual([row.endpoint, 403, 'auth.forbidden']);
      }
    }
  });

  it('refuses the wrong segment with 403 auth.forbidden, or (a person) as an unknown id', async () => {
    const scoped = rows.filter((r) => r.wrongSegment);
    expect(scoped.length).toBe(7);
    for (const row of scoped) {
      const { key, call, unknown } = row.wrongSegment!;
      const r = await call(key());
      if (unknown) {
        const named = JSON.stringify(r.body).replaceAll(citizens['kazan']!, 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa');
        expect([row.endpoint, r.status, named]).toEqual([
          row.endpoint,
          404,
          JSON.stringify((await unknown(key())).body),
        ]);
        continue;
      }
      expect([row.endpoint, r.status, r.body.code, r.body.data?.reason]).toEqual([
        row.endpoint,
        403,
        'auth.forbidden',
        'segment_not_allowed',
      ]);
    }
  });

  it('refuses a purpose the relying party is not registered for with 403 auth.forbidden', async () => {
    for (const row of rows.filter((r) => r.wrongPurpose)) {
      const r = await row.wrongPurpose!(keys['metro']);
      expect([row.endpoint, r.status, r.body.code, r.body.data.reason]).toEqual([
        row.endpoint,
        403,
        'auth.forbidden',
        'purpose_not_allowed',
      ]);
    }
  });

  it('refuses a person who did not consent: consent.missing on 1:1, invisible on 1:N', async () => {
    for (const row of rows.filter((r) => r.noConsent)) row.noConsent!.expect(await row.noConsent!.call(keys['metro']));
    // The control: the matcher itself does find her, so the empty answer is the consent filter at work.
    const probe = await engine.capture(await readFace('small', 'penny', 'penny2.png'), { requireLiveness: false });
    const hits = await registry.services.galleries.identify(
      ['moscow'],
      probe.template.modelPack,
      probe.template.vector,
      {
        k: 1,
        minScore: 0.5,
      },
    );
    expect(hits[0]?.owner).toBe(citizens['unconsenting']);
  });

  it('audits each refused call exactly once, under its request id, with its reason', async () => {
    const refused: { endpoint: string; call: () => Promise<Reply> }[] = [...others];
    for (const row of rows) {
      for (const key of row.wrongRole) refused.push({ endpoint: `${row.endpoint} (role)`, call: () => row.call(key) });
      const segment = row.wrongSegment;
      if (segment) refused.push({ endpoint: `${row.endpoint} (segment)`, call: () => segment.call(segment.key()) });
      const purpose = row.wrongPurpose;
      if (purpose) refused.push({ endpoint: `${row.endpoint} (purpose)`, call: () => purpose(keys['metro']) });
    }
    const verification = rows.find((r) => r.endpoint === 'POST /v1/verifications')!.noConsent!;
    refused.push({ endpoint: 'POST /v1/verifications (consent)', call: () => verification.call(keys['metro']) });
    for (const { endpoint, call } of refused) {
      const r = await call();
      // A person outside an operator's segments answers as an unknown id (404), and is still a refusal on record.
      expect([endpoint, [403, 404].includes(r.status)]).toEqual([endpoint, true]);
      const records = await registry.store.db
        .selectFrom('audit_events')
        .select(['result', 'detail'])
        .where('request_id', '=', String(r.headers['x-request-id']))
        .execute();
      expect([endpoint, records.length, records[0]?.result.startsWith('refused:')]).toEqual([endpoint, 1, true]);
      expect([endpoint, JSON.parse(records[0]!.detail ?? '{}').reason]).toEqual([endpoint, expect.any(String)]);
    }
  });
});
