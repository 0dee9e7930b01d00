import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestRegistry } from '../registry.js';
import type { TestDialect, TestStore } from '../stores.js';

export interface PageServer {
  /** `http://localhost:<port>`: localhost, so the pages are a secure context (camera, WebAuthn RP ID). */
  readonly url: string;
  readonly registry: Registry;
  readonly store: TestStore;
  close(): Promise<void>;
}

/**
 * A real server for browser tests: the registry on a fresh store of the dialect (bootstrapped with ADMIN_KEY,
 * segments moscow and kazan), listening on a free port of 127.0.0.1 with the built pages mounted.
 */
export async function startPageServer(
  dialect: TestDialect,
  engine: FaceEngine,
  env: Record<string, string> = {},
): Promise<PageServer> {
  const { registry, store } = await startTestRegistry(dialect, engine, env);
  await registry.app.listen({ host: '127.0.0.1', port: 0 });
  const address = registry.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server did not listen on a port');
  return {
    url: `http://localhost:${address.port}`,
    registry,
    store,
    async close() {
      await registry.close();
      await store.dispose();
    },
  };
}
