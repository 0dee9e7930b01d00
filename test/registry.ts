import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/config.js';
import { buildRegistry, type Registry, type RegistryOverrides } from '../src/composition.js';
import { existsSync, readFileSync } from 'node:fs';
import type { FaceEngine } from '../src/biometrics/face-engine.js';
import { OutboxFileDelivery, type MessageChannel } from '../src/modules/notifications/message-delivery.js';
import { readFace } from './datasets.js';
import { newTestStore, type TestDialect, type TestStore } from './stores.js';

/** The administrator key every test registry is bootstrapped with. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** A registry on a fresh store of the dialect, sharing the caller's engine. */
export async function startTestRegistry(
  dialect: TestDialect,
  engine: FaceEngine,
  env: Record<string, string> = {},
  overrides: Omit<RegistryOverrides, 'engine'> = {},
): Promise<{
  registry: Registry;
  store: TestStore;
  /** Another registry on the same store, with extra environment (a restart after `close`). */
  restart: (env?: Record<string, string>) => Promise<Registry>;
}> {
  const store = await newTestStore(dialect);
  const config = (more: Record<string, string> = {}) =>
    loadConfig({
      OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      OBLIK_SEGMENTS: 'moscow:Moscow,kazan:Kazan',
      OBLIK_LOG_LEVEL: 'silent',
      // Every test calls from one address: the per-source sign-in throttle is tested on its own.
      OBLIK_SIGN_IN_SOURCE_MAX: '10000',
      ...store.env,
      ...env,
      ...more,
    });
  const registry = await buildRegistry(config(), { ...overrides, engine });
  return { registry, store, restart: (more) => buildRegistry(config(more), { ...overrides, engine }) };
}

export interface Reply {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, unknown>;
}

/** An API client over `inject`: `call(key)('POST', '/v1/persons', body)`. */
export function client(app: FastifyInstance) {
  return (key?: string) =>
    async (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await app.inject({
        method,
        url,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const text = res.body;
      return {
        status: res.statusCode,
        body: text && res.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text,
        headers: res.headers,
      } as Reply;
    };
}

type RelyingPartyOverrides = Partial<{
  name: string;
  purposes: string[];
  segments: string[];
  rights: string[];
  ownTemplateView: boolean;
}>;

/** Registers a relying party and returns its key. */
export async function newRelyingParty(app: FastifyInstance, overrides: RelyingPartyOverrides = {}): Promise<string> {
  return (await registerRelyingParty(app, overrides)).key;
}

/** Registers a relying party and returns its key and id (citizens grant consent to the id). */
export async function registerRelyingParty(
  app: FastifyInstance,
  overrides: RelyingPartyOverrides = {},
): Promise<{ key: string; id: string }> {
  const res = await client(app)(ADMIN_KEY)('POST', '/v1/relying-parties', {
    name: 'Metro',
    purposes: ['transit_fare'],
    segments: ['moscow'],
    rights: ['enrol', 'verify', 'identify'],
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`relying party not created: ${JSON.stringify(res.body)}`);
  return { key: res.body.apiKey as string, id: res.body.id as string };
}

export async function newOperator(app: FastifyInstance, segments: string[]): Promise<string> {
  const res = await client(app)(ADMIN_KEY)('POST', '/v1/operators', { name: 'Operator', segments });
  if (res.status !== 201) throw new Error(`operator not created: ${JSON.stringify(res.body)}`);
  return res.body.apiKey as string;
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** How many rows a table of the registry's store holds. */
export async function rowCount(registry: Registry, table: 'persons' | 'templates' | 'adjudications' | 'audit_events') {
  const row = await registry.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * An enrolment request for a face of the small set (`['amy', 'amy1.png']`): Moscow, a kiosk, consent to
 * transit fares, unless overridden.
 * @example await api('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png'], { consents: [] }))
 */
export async function newEnrolment(face: readonly [string, string], overrides: Record<string, unknown> = {}) {
  return {
    segment: 'moscow',
    channel: 'kiosk',
    consents: ['transit_fare'],
    image: b64(await readFace('small', ...face)),
    ...overrides,
  };
}

/** A clock tests can move forward (grant expiry, temporary unlocks, session lifetimes). */
export class TestClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(minutes: number): void {
    this.offsetMs += minutes * 60_000;
  }
}

/** Faces of the deepface set whose photos have the surroundings a required liveness check needs. */
export const LIVE_FACES = {
  anna: ['deepface5', 'img1.jpg', 'img2.jpg', 'img4.jpg', 'img6.jpg'],
  boris: ['deepface6', 'img13.jpg', 'img14.jpg', 'img15.jpg'],
  kid: ['deepface8', 'img8.jpg', 'img9.jpg'],
  vera: ['deepface0', 'img20.jpg', 'img21.jpg'],
  gleb: ['deepface7', 'img18.jpg', 'img19.jpg'],
} as const;

/** The n-th photo (0 = the enrolment photo) of a live face, base64. */
export async function livePhoto(who: keyof typeof LIVE_FACES, n: number): Promise<string> {
  const [folder, ...files] = LIVE_FACES[who];
  return b64(await readFace('small', folder, files[n]!));
}

/** The development outbox file of a channel (where codes go with no gateway configured). */
export function outboxFile(registry: Registry, channel: MessageChannel): string {
  const delivery = registry.services.delivery;
  if (!(delivery instanceof OutboxFileDelivery)) throw new Error('this registry sends through a gateway');
  return delivery.fileOf(channel);
}

/** The messages the development outbox holds for one channel, oldest first. */
export function outboxMessages(
  registry: Registry,
  channel: MessageChannel,
): { to: string; text: string; at: string }[] {
  const file = outboxFile(registry, channel);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { to: string; text: string; at: string });
}

/** The one-time code in the last message the outbox holds for `to`. */
export function lastCode(registry: Registry, channel: MessageChannel, to: string): string {
  const message = outboxMessages(registry, channel).findLast((m) => m.to === to);
  const code = message?.text.match(/ is ([0-9]{6}|[a-z2-7]{4}(?:-[a-z2-7]{4})+) /i)?.[1];
  if (!code) throw new Error(`no code for ${to} in the ${channel} outbox`);
  return code;
}

/** The email address {@link signIn} gives a citizen who has no contact yet. */
export const testEmailOf = (citizenId: string) => `${citizenId.toLowerCase()}@citizen.test`;

/**
 * Gives a citizen a verified email contact if they have none, as a citizen who activated their account would
 * have (test set-up only: through the store's contact book, not an API, since no API lets anyone but the
 * citizen set it). Returns the address codes go to.
 */
export async function ensureContact(
  registry: Registry,
  citizenId: string,
): Promise<{ channel: MessageChannel; to: string }> {
  const person = await registry.repositories.persons.findOpen(citizenId);
  if (!person) throw new Error(`no person ${citizenId}`);
  const held = await registry.services.contacts.of(person.id, person.segment_id);
  if (held?.phone) return { channel: 'sms', to: held.phone };
  if (held?.email) return { channel: 'email', to: held.email };
  const email = testEmailOf(citizenId);
  await registry.services.contacts.set(person.id, person.segment_id, { email, verifiedAt: new Date().toISOString() });
  return { channel: 'email', to: email };
}

/**
 * Signs a citizen in with both factors, as a client would: their face (202, a sign-in token), a code sent to
 * their contact (read from the development outbox), then the session. Returns a client acting with its token.
 */
export async function signIn(registry: Registry, citizenId: string, image: string) {
  return client(registry.app)(await signInToken(registry, citizenId, image));
}

/** The session token of a two-factor sign-in (see {@link signIn}). */
export async function signInToken(registry: Registry, citizenId: string, image: string): Promise<string> {
  const anon = client(registry.app)();
  const address = await ensureContact(registry, citizenId);
  const face = await anon('POST', '/v1/citizen/sessions', { citizenId, image });
  if (face.status !== 202) throw new Error(`face sign-in failed: ${JSON.stringify(face.body)}`);
  const { signInToken } = face.body as { signInToken: string };
  const sent = await anon('POST', '/v1/citizen/sessions/second-factor/code', { signInToken });
  if (sent.status !== 202) throw new Error(`no code sent: ${JSON.stringify(sent.body)}`);
  const code = lastCode(registry, address.channel, address.to);
  const done = await anon('POST', '/v1/citizen/sessions/second-factor', { signInToken, code });
  if (done.status !== 201) throw new Error(`second factor failed: ${JSON.stringify(done.body)}`);
  return done.body.token as string;
}
