import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { AppError } from '../../src/errors/app-error.js';
import { idempotentCall, type CallContext, type Tx } from '../../src/services/registry.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { registerRelyingParty, rowCount, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/**
 * The contract relying-party applications (src/services/) build on: a service's own write, made through the
 * effect's transaction, commits with the registry's audit record of the match (and its stored idempotent
 * answer), or rolls back with it.
 */
describe.each(dialects)('relying-party effects on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let metro: CallContext['principal'];
  let requests = 0;
  const face = (name: string, file: string) => readFace('small', name, file);

  /** A call of the metro's own, under a fresh request id (its audit records are found by it). */
  const call = (): CallContext => ({ principal: metro, requestId: `req_effect_${++requests}` });
  /** The service's own table, written only through the effect's transaction. */
  const charge = (tx: Tx, id: string) => sql`insert into rp_charges (id) values (${id})`.execute(tx);
  const charges = async () =>
    (await sql<{ id: string }>`select id from rp_charges order by id`.execute(registry.store.db)).rows.map((r) => r.id);
  const auditOf = (ctx: CallContext) =>
    registry.store.db
      .selectFrom('audit_events')
      .select(['action', 'result'])
      .where('request_id', '=', ctx.requestId)
      .execute();
  const count = (table: 'persons' | 'templates') => rowCount(registry, table);

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    const { key } = await registerRelyingParty(registry.app);
    metro = (await registry.services.principals.authenticate(key))!;
    await sql`create table rp_charges (id text primary key)`.execute(registry.store.db);
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('an enrolment and its effect commit together; a failing effect leaves no person, template or record', async () => {
    const { enrolment } = registry.services.relyingParties;
    const input = { segment: 'moscow', channel: 'kiosk', consents: ['transit_fare' as const] };
    const failed = call();
    await expect(
      enrolment.enrol(failed, { ...input, image: await face('amy', 'amy1.png') }, async (tx) => {
        await charge(tx, 'contract-amy');
        throw new Error('the contract could not be written');
      }),
    ).rejects.toThrow('the contract could not be written');
    expect(await charges()).toEqual([]);
    expect(await auditOf(failed)).toEqual([]);
    expect([await count('persons'), await count('templates'), registry.matcher.size()]).toEqual([0, 0, 0]);

    const done = call();
    const contract = await enrolment.enrol(done, { ...input, image: await face('amy', 'amy1.png') }, async (tx, r) => {
      await charge(tx, 'contract-amy');
      return { contractId: 'contract-amy', holder: r.personId };
    });
    expect(contract.holder).toMatch(/^psn_/);
    expect(await charges()).toEqual(['contract-amy']);
    expect(await auditOf(done)).toEqual([{ action: 'enrolment', result: 'enrolled' }]);
    expect([await count('persons'), await count('templates'), registry.matcher.size()]).toEqual([1, 1, 1]);
  });

  it('an identification and its effect commit together, and a replayed event answers the same without a second write', async () => {
    const { matching } = registry.services.relyingParties;
    const probe = { image: await face('amy', 'amy2.png'), purpose: 'transit_fare' as const };
    const pass = (ctx: CallContext) =>
      matching.identify(ctx, probe, async (tx, found) => {
        const rider = found.candidates[0];
        if (!rider) return { decision: 'refuse' as const };
        await charge(tx, `pass-${ctx.idempotency?.key ?? ctx.requestId}`);
        return { decision: 'open' as const, riderId: rider.personId };
      });
    const first = idempotentCall(call(), 'gate-7:event-1', { gateId: 'gate-7', eventId: 'event-1' });
    const opened = await pass(first);
    expect(opened).toMatchObject({ decision: 'open', riderId: expect.stringMatching(/^psn_/) });
    expect(await auditOf(first)).toEqual([{ action: 'identification', result: 'candidate' }]);
    // The gate retries the same event (a lost answer, a restart): the same answer, nothing written again.
    const retry = idempotentCall(call(), 'gate-7:event-1', { gateId: 'gate-7', eventId: 'event-1' });
    expect(await pass(retry)).toEqual(opened);
    expect(await charges()).toEqual(['contract-amy', 'pass-gate-7:event-1']);
    expect(await auditOf(retry)).toEqual([]);
  });

  it('a verification whose effect throws leaves neither the write nor the audit record', async () => {
    const { matching } = registry.services.relyingParties;
    const rider = await matching.identify(call(), { image: await face('amy', 'amy2.png'), purpose: 'transit_fare' });
    const ctx = call();
    const verification = { personId: rider.candidates[0]!.personId, purpose: 'transit_fare' as const };
    await expect(
      matching.verify(ctx, { ...verification, image: await face('amy', 'amy3.png') }, async (tx, v) => {
        expect(v.match).toBe(true);
        await charge(tx, 'verified-amy');
        throw new Error('payment port timed out');
      }),
    ).rejects.toThrow('payment port timed out');
    expect(await charges()).not.toContain('verified-amy');
    expect(await auditOf(ctx)).toEqual([]);
  });

  it('an effect that returns an AppError keeps its write and the audit record, then refuses', async () => {
    const { matching } = registry.services.relyingParties;
    const ctx = call();
    const refusal = matching.identify(
      ctx,
      { image: await face('amy', 'amy3.png'), purpose: 'transit_fare' },
      async (tx) => {
        await charge(tx, 'refused-pass');
        return new AppError('request.invalid', 'the rider is blocked until the debt is settled');
      },
    );
    await expect(refusal).rejects.toMatchObject({ code: 'request.invalid' });
    expect(await charges()).toContain('refused-pass');
    expect(await auditOf(ctx)).toEqual([{ action: 'identification', result: 'candidate' }]);
  });
});
