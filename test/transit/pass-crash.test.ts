import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { buildRegistry } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import type { LedgerEntry } from '../../src/services/payments/development-payments.js';
import { facePath } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, client, LIVE_FACES, livePhoto, registerRelyingParty } from '../registry.js';
import { newTestStore, testDialects } from '../stores.js';
import { enrolRider } from './face-pay.js';
import { runCrashScript } from '../crash/run-child.js';

const dialects = await testDialects();
const CHILD = fileURLToPath(new URL('../crash/pass-then-die.ts', import.meta.url));

function runChild(arg: object) {
  return runCrashScript(CHILD, arg);
}

/**
 * A process killed between a gate's decision and its charge (kill -9, before the port is called or after it
 * answered and before the answer is recorded): after a restart the charge is sent exactly once (the outbox
 * resends it by its key; the development port's ledger file shows one charge), and the gate's retry of the
 * same eventId gets the pass's answer.
 */
describe.each(dialects)('a gate pass killed mid-charge on %s', (dialect) => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it.each(['port_calling', 'port_answered'] as const)('killed at "%s": charged once after restart', async (step) => {
    const store = await newTestStore(dialect);
    const dir = await mkdtemp(join(tmpdir(), 'oblik-ledger-'));
    const ledger = join(dir, 'ledger.jsonl');
    const env = {
      ...store.env,
      OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      OBLIK_SEGMENTS: 'moscow:Moscow',
      OBLIK_LOG_LEVEL: 'silent',
      OBLIK_PAYMENT_DEV_LEDGER: ledger,
    };
    const entries = async () =>
      (await readFile(ledger, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LedgerEntry);
    try {
      const setup = await buildRegistry(loadConfig(env), { engine });
      const metro = await registerRelyingParty(setup.app, { name: 'Metro', purposes: ['transit_fare'] });
      const anna = await enrolRider(setup.app, metro.key, 'anna', ['transit_fare']);
      const api = client(setup.app)(metro.key);
      await api('PUT', '/v1/transit/tariff', { currency: 'RUB', baseFare: 6000, transferMinutes: 60, dailyCap: 15000 });
      await api('PUT', '/v1/transit/gates/g-1', { name: 'Gate 1' });
      await api('POST', '/v1/transit/riders', { personId: anna.personId, paymentMethod: { token: 'tok_anna' } });
      await setup.close();

      const [folder, , second] = LIVE_FACES.anna;
      const child = await runChild({ env, apiKey: metro.key, step, image: facePath('small', folder, second) });
      expect(child.signal).toBe('SIGKILL');
      expect(child.out).toBe(''); // the gate never got an answer
      expect(await entries()).toHaveLength(step === 'port_calling' ? 0 : 1);

      const restarted = await buildRegistry(loadConfig(env), { engine });
      try {
        await restarted.services.charges.idle(); // start-up sends what the crash left unsent
        const charges = await restarted.store.db.selectFrom('payment_charges').selectAll().execute();
        expect(charges).toHaveLength(1);
        expect(charges[0]).toMatchObject({ status: 'captured', amount: 6000 });
        expect((await entries()).filter((e) => e.key === charges[0]!.id)).toHaveLength(1);
        // The gate retries its event: the same pass, the same charge, nothing sent again.
        const retry = await client(restarted.app)(metro.key)('POST', '/v1/transit/passes', {
          gateId: 'g-1',
          eventId: 'e-crash',
          image: await livePhoto('anna', 1),
        });
        expect(retry.body).toMatchObject({ decision: 'open', charge: { id: charges[0]!.id, amount: 6000 } });
        expect(await entries()).toHaveLength(1);
        expect(await restarted.store.db.selectFrom('transit_passes').selectAll().execute()).toHaveLength(1);
      } finally {
        await restarted.close();
      }
    } finally {
      await store.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
