import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/config.js';
import { buildRegistry, type Registry, type RegistryOverrides } from '../src/composition.js';
import type { FaceEngine } from '../src/biometrics/face-engine.js';
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

/** Signs a citizen in by face and returns a client acting with their session token. */
export async function signIn(app: FastifyInstance, citizenId: string, image: string) {
  const res = await client(app)()('POST', '/v1/citizen/sessions', { citizenId, image });
  if (res.status !== 201) throw new Error(`sign-in failed: ${JSON.stringify(res.body)}`);
  return client(app)(res.body.token as string);
}
