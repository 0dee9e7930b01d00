import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace, readScreenReplay } from '../datasets.js';
import { renderPassport } from '../documents/document-image.js';
import { startTestEngine } from '../engine.js';
import {
  b64,
  client,
  LIVE_FACES,
  livePhoto,
  registerRelyingParty,
  signIn,
  startTestRegistry,
  TestClock,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { mrzOf, PASSPORTS } from './documents.js';

const dialects = await testDialects();

/**
 * Telecom operators end to end (issue 13), on real faces: contracts signed, ended and resumed with the
 * holder's face; one face under two documents refused with a fraud alert; the contract limit and numbers in
 * use; porting with objection, cancellation and the switch at `switchAt`, read at the switch instant; the
 * subscriber's own history.
 */
describe.each(dialects)('telecom on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  const clock = new TestClock();
  let crashAtSwitch = false;
  const operators: Record<'kcell' | 'beeline', { key: string; id: string }> = {} as never;
  const as = (who: 'kcell' | 'beeline') => client(registry.app)(operators[who].key);
  const face = (who: 'anna' | 'boris' | 'vera', n: number) => livePhoto(who, n);
  const contracts = async () =>
    (await registry.store.db.selectFrom('telecom_contracts').selectAll().orderBy('created_at').execute()).map((c) => ({
      msisdn: c.msisdn,
      operator: c.operator_id,
      status: c.status,
    }));
  const sign = async (who: 'kcell' | 'beeline', person: 'anna' | 'boris' | 'vera', n: number, msisdn: string) =>
    as(who)('POST', '/v1/telecom/contracts', {
      document: mrzOf(PASSPORTS[person]),
      image: await face(person, n),
      msisdn,
    });
  const personOf = async (pseudonym: string) =>
    (
      await registry.store.db
        .selectFrom('pseudonyms')
        .select('person_id')
        .where('pseudonym', '=', pseudonym)
        .executeTakeFirstOrThrow()
    ).person_id;

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(
      dialect,
      engine,
      { OBLIK_PORTING_NOTICE_MINUTES: '60', OBLIK_TELECOM_MAX_CONTRACTS: '3', OBLIK_TELECOM_SCHEDULER_SECONDS: '3600' },
      {
        clock,
        switchProbe: () => {
          if (!crashAtSwitch) return;
          crashAtSwitch = false;
          throw new Error('the process died between ending the donor and starting the recipient');
        },
      },
    ));
    for (const name of ['kcell', 'beeline'] as const) {
      operators[name] = await registerRelyingParty(registry.app, {
        name,
        purposes: ['telecom_contract'],
        segments: ['moscow'],
        rights: ['enrol', 'verify', 'identify'],
      });
    }
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('signs a new subscriber (enrolled, with consent to the operator), then knows them at another operator', async () => {
    const first = await sign('kcell', 'anna', 0, '+77010000001');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      msisdn: '+77010000001',
      status: 'active',
      checks: { document: 'mrz', registry: 'new' },
    });
    expect(first.body.contractId).toMatch(/^ctr_/);
    expect(first.body.personId).toMatch(/^psn_/);

    // Another operator: the same face and document are known (the application gives consent to it).
    const second = await sign('beeline', 'anna', 1, '+77010000002');
    expect(second.status).toBe(201);
    expect(second.body.checks.registry).toBe('known');
    expect(second.body.personId).not.toBe(first.body.personId); // each operator's own pseudonym

    const got = await as('kcell')('GET', `/v1/telecom/contracts/${first.body.contractId}`);
    expect(got.body).toMatchObject({ status: 'active', endedAt: null, personId: first.body.personId });
    // Another operator cannot see it.
    expect((await as('beeline')('GET', `/v1/telecom/contracts/${first.body.contractId}`)).body.code).toBe(
      'telecom.contract_not_found',
    );
    // The document data is the operator's record, sealed: no document number in the row.
    const row = await registry.store.db
      .selectFrom('telecom_contracts')
      .selectAll()
      .where('id', '=', first.body.contractId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('N12345678');
    // Only the operator opens it, as its own record of the subscriber's document.
    const kcell = {
      principal: (await registry.services.principals.authenticate(operators.kcell.key))!,
      requestId: 'r',
    };
    const documents = registry.services.relyingParties.identityDocuments;
    expect(await documents.openRecord(kcell, 'moscow', row.id, row.sealed_document)).toMatchObject({
      documentNumber: 'N12345678',
      surname: 'ABENOVA',
      birthDate: '1990-02-15',
      nationality: 'KAZ',
    });
    const beeline = {
      principal: (await registry.services.principals.authenticate(operators.beeline.key))!,
      requestId: 'r',
    };
    await expect(documents.openRecord(beeline, 'moscow', row.id, row.sealed_document)).rejects.toThrow();
    const stored = await registry.store.db.selectFrom('person_documents').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain('N12345678');
  });

  it('refuses a number already served, and a subscriber past the contract limit', async () => {
    const taken = await sign('beeline', 'anna', 2, '+77010000001');
    expect([taken.status, taken.body.code]).toEqual([409, 'telecom.number_in_use']);
    expect((await sign('kcell', 'anna', 3, '+77010000003')).status).toBe(201);
    const fourth = await sign('beeline', 'anna', 0, '+77010000004');
    expect([fourth.status, fourth.body.code, fourth.body.data]).toEqual([409, 'telecom.contract_limit', { max: 3 }]);
    expect((await contracts()).filter((c) => c.status !== 'ended')).toHaveLength(3);
  });

  it('refuses one face under another document with telecom.identity_conflict, and alerts the operator', async () => {
    const before = await contracts();
    const res = await as('kcell')('POST', '/v1/telecom/contracts', {
      document: mrzOf(PASSPORTS.boris),
      image: await face('anna', 1),
      msisdn: '+77010000009',
    });
    expect([res.status, res.body.code]).toEqual([409, 'telecom.identity_conflict']);
    expect(await contracts()).toEqual(before);
    const alerts = await as('kcell')('GET', '/v1/telecom/fraud-alerts');
    expect(alerts.body.alerts).toHaveLength(1);
    expect(alerts.body.alerts[0]).toMatchObject({ kind: 'identity_conflict', msisdn: '+77010000009' });
    expect(alerts.body.alerts[0].personId).toMatch(/^psn_/);
    expect((await as('beeline')('GET', '/v1/telecom/fraud-alerts')).body.alerts).toEqual([]);
  });

  it('refuses bad documents and bad numbers with stable codes', async () => {
    const good = mrzOf(PASSPORTS.vera).mrz;
    const digitFlipped = good.slice(0, 53) + (good[53] === '1' ? '2' : '1') + good.slice(54); // document number check digit
    const cases: [unknown, number, string][] = [
      [{ mrz: digitFlipped }, 422, 'document.unreadable'],
      [{ mrz: good.slice(0, 80) }, 422, 'document.unreadable'],
      [{ image: await face('vera', 0) }, 422, 'document.mrz_not_found'],
    ];
    for (const [document, status, code] of cases) {
      const res = await as('kcell')('POST', '/v1/telecom/contracts', {
        document,
        image: await face('vera', 0),
        msisdn: '+77010000020',
      });
      expect([res.status, res.body.code]).toEqual([status, code]);
    }
    const wrongNumber = await as('kcell')('POST', '/v1/telecom/contracts', {
      document: mrzOf(PASSPORTS.vera),
      image: await face('vera', 0),
      msisdn: '87010000020',
    });
    expect([wrongNumber.status, wrongNumber.body.code]).toEqual([400, 'request.invalid']);
    const expired = { ...PASSPORTS.vera, expiry: '200101' };
    const old = await as('kcell')('POST', '/v1/telecom/contracts', {
      document: mrzOf(expired),
      image: await face('vera', 0),
      msisdn: '+77010000020',
    });
    expect([old.status, old.body.code]).toEqual([422, 'document.expired']);
    expect(
      await registry.store.db
        .selectFrom('telecom_contracts')
        .where('msisdn', '=', '+77010000020')
        .selectAll()
        .execute(),
    ).toEqual([]);
  });

  it('reads a photographed document, and compares its portrait with the live face', async () => {
    const [folder, enrolmentPhoto] = LIVE_FACES.vera;
    const portrait = await readFace('small', folder, enrolmentPhoto);
    const strangersPortrait = await readFace('small', LIVE_FACES.gleb[0], LIVE_FACES.gleb[1]);
    const forged = await renderPassport({ ...PASSPORTS.vera, documentNumber: 'K11111111' }, strangersPortrait);
    const refused = await as('kcell')('POST', '/v1/telecom/contracts', {
      document: { image: b64(forged.image) },
      image: await face('vera', 1),
      msisdn: '+77010000030',
    });
    expect([refused.status, refused.body.code]).toEqual([422, 'document.portrait_mismatch']);

    const passport = await renderPassport(PASSPORTS.vera, portrait);
    const signed = await as('kcell')('POST', '/v1/telecom/contracts', {
      document: { image: b64(passport.image) },
      image: await face('vera', 1),
      msisdn: '+77010000030',
    });
    expect(signed.status).toBe(201);
    expect(signed.body.checks).toMatchObject({ document: 'image', registry: 'new' });
    expect(signed.body.checks.portraitScore).toBeGreaterThan(refused.body.data.portraitScore);
  });

  it('refuses a face shown on a screen: liveness is required', async () => {
    const res = await as('kcell')('POST', '/v1/telecom/contracts', {
      document: mrzOf(PASSPORTS.vera),
      image: b64(await readScreenReplay()),
      msisdn: '+77010000031',
    });
    expect([res.status, res.body.code]).toEqual([422, 'face.spoof_suspected']);
  });

  it('answers a replayed application the same, with one contract', async () => {
    const body = { document: mrzOf(PASSPORTS.boris), image: await face('boris', 0), msisdn: '+77010000010' };
    const headers = { 'idempotency-key': 'boris-contract-1' };
    const first = await as('kcell')('POST', '/v1/telecom/contracts', body, headers);
    const again = await as('kcell')('POST', '/v1/telecom/contracts', body, headers);
    expect(first.status).toBe(201);
    expect(first.body.checks.registry).toBe('new');
    expect(again.body).toEqual(first.body);
    expect((await contracts()).filter((c) => c.msisdn === '+77010000010')).toHaveLength(1);
  });

  it('ends a contract at the instant its holder names, never before the application, and only with their face', async () => {
    const { body: signed } = await sign('kcell', 'boris', 1, '+77010000011');
    const url = `/v1/telecom/contracts/${signed.contractId}/termination`;
    const effectiveAt = new Date(clock.now().getTime() + 2 * 3_600_000).toISOString();

    const past = await as('kcell')('POST', url, {
      image: await face('boris', 1),
      effectiveAt: new Date(clock.now().getTime() - 60_000).toISOString(),
    });
    expect([past.status, past.body.code]).toEqual([422, 'telecom.effective_before_application']);
    const stranger = await as('kcell')('POST', url, { image: await face('anna', 2), effectiveAt });
    expect([stranger.status, stranger.body.code]).toEqual([403, 'telecom.face_mismatch']);
    const otherOperator = await as('beeline')('POST', url, { image: await face('boris', 1), effectiveAt });
    expect([otherOperator.status, otherOperator.body.code]).toEqual([404, 'telecom.contract_not_found']);

    const ending = await as('kcell')('POST', url, { image: await face('boris', 2), effectiveAt });
    expect([ending.status, ending.body]).toEqual([
      202,
      { contractId: signed.contractId, effectiveAt, status: 'ending' },
    ]);
    // The holder changes their mind: cancelled with another face check, then asked for again an hour on.
    const cancelled = await as('kcell')('POST', `${url}/cancellation`, { image: await face('boris', 1) });
    expect(cancelled.body).toMatchObject({ status: 'active', effectiveAt: null });
    const oneHour = new Date(clock.now().getTime() + 3_600_000).toISOString();
    expect((await as('kcell')('POST', url, { image: await face('boris', 1), effectiveAt: oneHour })).status).toBe(202);

    const get = () => as('kcell')('GET', `/v1/telecom/contracts/${signed.contractId}`);
    expect((await get()).body).toMatchObject({ status: 'ending', effectiveAt: oneHour, endedAt: null });
    clock.advance(61);
    // Ended at its instant, as read, before the scheduler writes it; then written by the scheduler.
    expect((await get()).body).toMatchObject({ status: 'ended', endedAt: oneHour, endReason: 'termination' });
    expect((await registry.services.telecomScheduler.runDue()).ended).toBe(1);
    expect((await get()).body).toMatchObject({ status: 'ended', endedAt: oneHour });
    const late = await as('kcell')('POST', `${url}/cancellation`, { image: await face('boris', 1) });
    expect([late.status, late.body.code]).toEqual([409, 'telecom.contract_ended']);
    // The number is free again.
    expect((await sign('beeline', 'boris', 2, '+77010000011')).status).toBe(201);
  });

  it('ports a number: only its holder may ask, the donor sees it, and at switchAt one operator hands over to the other', async () => {
    const msisdn = '+77010000001'; // anna's at kcell
    const port = (who: 'anna' | 'boris', extra: Record<string, unknown> = {}) =>
      face(who, 1).then((image) =>
        as('beeline')('POST', '/v1/telecom/port-requests', {
          msisdn,
          image,
          document: mrzOf(PASSPORTS[who]),
          ...extra,
        }),
      );
    const notHolder = await port('boris');
    expect([notHolder.status, notHolder.body.code]).toEqual([403, 'telecom.not_number_holder']);
    const early = await port('anna', { switchAt: new Date(clock.now().getTime() + 30 * 60_000).toISOString() });
    expect([early.status, early.body.code]).toEqual([422, 'telecom.switch_too_early']);
    const ownNumber = await as('kcell')('POST', '/v1/telecom/port-requests', {
      msisdn,
      image: await face('anna', 1),
      document: mrzOf(PASSPORTS.anna),
    });
    expect(ownNumber.body.code).toBe('telecom.port_same_operator');

    const requested = await port('anna');
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ status: 'pending', donorOperatorId: operators.kcell.id });
    const switchAt = requested.body.switchAt as string;
    expect(Date.parse(switchAt) - clock.now().getTime()).toBeGreaterThan(59 * 60_000);
    const twice = await port('anna');
    expect([twice.status, twice.body.code]).toEqual([409, 'telecom.port_pending']);

    const donorView = await as('kcell')('GET', '/v1/telecom/port-requests?role=donor');
    expect(donorView.body.portRequests.map((p: { id: string }) => p.id)).toEqual([requested.body.id]);
    const objection = `/v1/telecom/port-requests/${requested.body.id}/objection`;
    const badReason = await as('kcell')('POST', objection, { reason: 'we would rather keep them' });
    expect([badReason.status, badReason.body.code]).toEqual([422, 'telecom.objection_not_allowed']);
    expect((await as('beeline')('POST', objection, { reason: 'outstanding_debt' })).body.code).toBe(
      'telecom.port_request_not_found',
    );

    expect((await registry.services.telecomScheduler.runDue()).switched).toBe(0); // not due yet
    clock.advance(61);
    // Two runs at once (two instances): the number switches once.
    const runs = await Promise.all([
      registry.services.telecomScheduler.runDue(),
      registry.services.telecomScheduler.runDue(),
    ]);
    expect(runs.map((r) => r.switched).sort()).toEqual([0, 1]);
    expect(await registry.services.telecomScheduler.runDue()).toMatchObject({ switched: 0 });

    // At the switch instant: the donor until the millisecond before, the recipient from it; never both, never none.
    const servedAt = (at: string) => as('kcell')('GET', `/v1/telecom/numbers/${encodeURIComponent(msisdn)}?at=${at}`);
    const justBefore = new Date(Date.parse(switchAt) - 1).toISOString();
    expect((await servedAt(justBefore)).body).toMatchObject({ operatorId: operators.kcell.id });
    expect((await servedAt(switchAt)).body).toMatchObject({ operatorId: operators.beeline.id, since: switchAt });
    const rows = await registry.store.db
      .selectFrom('telecom_contracts')
      .selectAll()
      .where('msisdn', '=', msisdn)
      .execute();
    const donor = rows.find((r) => r.operator_id === operators.kcell.id)!;
    const recipient = rows.find((r) => r.operator_id === operators.beeline.id)!;
    expect([donor.status, donor.ended_at, donor.end_reason]).toEqual(['ended', switchAt, 'ported']);
    expect([recipient.status, recipient.started_at]).toEqual(['active', switchAt]);
    const late = await as('kcell')('POST', objection, { reason: 'outstanding_debt' });
    expect([late.status, late.body.code]).toEqual([409, 'telecom.port_closed']);
  });

  it('closes a port request on the donor’s objection or the recipient’s cancellation, and the number stays', async () => {
    const msisdn = '+77010000010'; // boris's at kcell
    const ask = async () =>
      as('beeline')('POST', '/v1/telecom/port-requests', {
        msisdn,
        image: await face('boris', 2),
        document: mrzOf(PASSPORTS.boris),
      });
    const first = await ask();
    expect(first.status).toBe(202);
    const objected = await as('kcell')('POST', `/v1/telecom/port-requests/${first.body.id}/objection`, {
      reason: 'outstanding_debt',
    });
    expect(objected.body).toMatchObject({ status: 'objected', objectionReason: 'outstanding_debt' });
    const second = await ask();
    expect(second.status).toBe(202);
    const cancelled = await as('beeline')('POST', `/v1/telecom/port-requests/${second.body.id}/cancellation`);
    expect(cancelled.body.status).toBe('cancelled');
    clock.advance(61);
    expect(await registry.services.telecomScheduler.runDue()).toMatchObject({ switched: 0 });
    expect((await as('beeline')('GET', `/v1/telecom/numbers/${encodeURIComponent(msisdn)}`)).body.operatorId).toBe(
      operators.kcell.id,
    );

    // Two simultaneous requests for one number: one is pending, the other refused.
    const both = await Promise.all([ask(), ask()]);
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(both.find((r) => r.status === 409)!.body.code).toBe('telecom.port_pending');
    const winner = both.find((r) => r.status === 202)!;
    expect((await as('beeline')('POST', `/v1/telecom/port-requests/${winner.body.id}/cancellation`)).status).toBe(200);
  });

  it('shows the subscriber their contracts, endings and ports, and every face check in their usage history', async () => {
    const kcellContract = (
      await registry.store.db
        .selectFrom('telecom_contracts')
        .select('person_ref')
        .where('msisdn', '=', '+77010000003')
        .executeTakeFirstOrThrow()
    ).person_ref;
    const anna = await signIn(registry, await personOf(kcellContract), await face('anna', 2));
    const mine = await anna('GET', '/v1/citizen/telecom');
    expect(mine.status).toBe(200);
    expect(
      mine.body.contracts.map((c: { msisdn: string; status: string }) => `${c.msisdn} ${c.status}`).sort(),
    ).toEqual(['+77010000001 active', '+77010000001 ended', '+77010000002 active', '+77010000003 active']);
    expect(mine.body.ports).toHaveLength(1);
    expect(mine.body.ports[0]).toMatchObject({ status: 'switched', recipientOperatorId: operators.beeline.id });
    // The application at the second operator gave her consent to it, recorded as given in an application.
    const consents = await anna('GET', '/v1/citizen/consents');
    expect(JSON.stringify(consents.body)).toContain('"application"');
    const usage = await anna('GET', '/v1/citizen/usage?limit=200');
    const telecomUses = usage.body.items.filter((i: { purpose: string }) => i.purpose === 'telecom_contract');
    expect(new Set(telecomUses.map((i: { relyingPartyId: string }) => i.relyingPartyId))).toEqual(
      new Set([operators.kcell.id, operators.beeline.id]),
    );
  });

  it('a lock on telecom_contract refuses her next application, and the refusal is on record', async () => {
    const ref = (
      await registry.store.db
        .selectFrom('telecom_contracts')
        .select('person_ref')
        .where('msisdn', '=', '+77010000003')
        .executeTakeFirstOrThrow()
    ).person_ref;
    const anna = await signIn(registry, await personOf(ref), await face('anna', 2));
    const lock = await anna('POST', '/v1/citizen/locks', { purpose: 'telecom_contract' });
    expect(lock.status).toBe(201);
    const refused = await sign('kcell', 'anna', 1, '+77010000040');
    expect([refused.status, refused.body.code]).toEqual([403, 'consent.missing']);
    const audit = await registry.store.db
      .selectFrom('audit_events')
      .select('result')
      .where('actor_id', '=', operators.kcell.id)
      .where('result', '=', 'refused:consent.missing')
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect((await anna('DELETE', `/v1/citizen/locks/${lock.body.id}`)).status).toBeLessThan(300);
  });

  it('a port request expires when the donor contract ends before the switch; a replayed request answers the same', async () => {
    const msisdn = '+77010000030'; // vera's at kcell (signed with her passport photo)
    const body = { msisdn, image: await face('vera', 1), document: mrzOf(PASSPORTS.vera) };
    const headers = { 'idempotency-key': 'vera-port-1' };
    const requested = await as('beeline')('POST', '/v1/telecom/port-requests', body, headers);
    expect(requested.status).toBe(202);
    const replayed = await as('beeline')('POST', '/v1/telecom/port-requests', body, headers);
    expect(replayed.body).toEqual(requested.body);
    const contractId = (
      await registry.store.db
        .selectFrom('telecom_contracts')
        .select('id')
        .where('msisdn', '=', msisdn)
        .executeTakeFirstOrThrow()
    ).id;
    const effectiveAt = new Date(clock.now().getTime() + 30 * 60_000).toISOString();
    const ending = await as('kcell')('POST', `/v1/telecom/contracts/${contractId}/termination`, {
      image: await face('vera', 1),
      effectiveAt,
    });
    expect(ending.status).toBe(202);
    clock.advance(61);
    expect(await registry.services.telecomScheduler.runDue()).toMatchObject({ ended: 1, switched: 0, expired: 1 });
    const list = await as('beeline')('GET', '/v1/telecom/port-requests?role=recipient');
    expect(list.body.portRequests.find((p: { id: string }) => p.id === requested.body.id).status).toBe('expired');
    const now = await as('beeline')('GET', `/v1/telecom/numbers/${encodeURIComponent(msisdn)}`);
    expect([now.status, now.body.code]).toEqual([404, 'telecom.number_not_found']);
  });

  it('a crash in the middle of a switch loses nothing: nothing changed, and the restart finishes it once', async () => {
    const msisdn = '+77010000002'; // anna's at beeline
    const requested = await as('kcell')('POST', '/v1/telecom/port-requests', {
      msisdn,
      image: await face('anna', 3),
      document: mrzOf(PASSPORTS.anna),
    });
    expect(requested.status).toBe(202);
    clock.advance(61);
    crashAtSwitch = true;
    await expect(registry.services.telecomScheduler.runDue()).rejects.toThrow('the process died');
    const rows = () =>
      registry.store.db.selectFrom('telecom_contracts').selectAll().where('msisdn', '=', msisdn).execute();
    expect((await rows()).map((r) => [r.operator_id, r.status])).toEqual([[operators.beeline.id, 'active']]);
    await registry.close();
    registry = await restart(); // start-up runs what is due
    const after = await rows();
    expect(after.map((r) => [r.operator_id, r.status, r.ended_at ?? r.started_at]).sort()).toEqual(
      [
        [operators.beeline.id, 'ended', requested.body.switchAt],
        [operators.kcell.id, 'active', requested.body.switchAt],
      ].sort(),
    );
    expect((await as('kcell')('GET', '/v1/telecom/port-requests')).body.portRequests[0].status).toBe('switched');
  });
});
