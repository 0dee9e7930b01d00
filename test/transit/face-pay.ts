import type { FastifyInstance } from 'fastify';
import { client, livePhoto, type LIVE_FACES, TestClock } from '../registry.js';

/** A clock at 06:00 UTC tomorrow, so a test's passes stay within one UTC day (the daily cap's). */
export function morningClock(): TestClock {
  const clock = new TestClock();
  const d = new Date();
  const target = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, 6);
  clock.advance((target - Date.now()) / 60_000);
  return clock;
}

/** Enrols a live face through a relying party, consenting to `purposes`; its pseudonym and the citizen id. */
export async function enrolRider(
  app: FastifyInstance,
  key: string,
  who: keyof typeof LIVE_FACES,
  purposes: string[],
): Promise<{ personId: string; citizenId: string }> {
  const res = await client(app)(key)('POST', '/v1/persons', {
    segment: 'moscow',
    channel: 'kiosk',
    consents: purposes,
    image: await livePhoto(who, 0),
  });
  if (res.status !== 201) throw new Error(`not enrolled: ${JSON.stringify(res.body)}`);
  return { personId: res.body.personId as string, citizenId: res.body.receipt.citizenId as string };
}
