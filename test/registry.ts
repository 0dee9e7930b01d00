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
    async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) => {
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

/** Registers a relying party and returns its key. */
export async function newRelyingParty(
  app: FastifyInstance,
  overrides: Partial<{ name: string; purposes: string[]; segments: string[]; rights: string[] }> = {},
): Promise<string> {
  const res = await client(app)(ADMIN_KEY)('POST', '/v1/relying-parties', {
    name: 'Metro',
    purposes: ['transit_fare'],
    segments: ['moscow'],
    rights: ['enrol', 'verify', 'identify'],
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`relying party not created: ${JSON.stringify(res.body)}`);
  return res.body.apiKey as string;
}

export async function newOperator(app: FastifyInstance, segments: string[]): Promise<string> {
  const res = await client(app)(ADMIN_KEY)('POST', '/v1/operators', { name: 'Operator', segments });
  if (res.status !== 201) throw new Error(`operator not created: ${JSON.stringify(res.body)}`);
  return res.body.apiKey as string;
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

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
