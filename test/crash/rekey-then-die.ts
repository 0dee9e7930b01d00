/**
 * A registry process that dies in the middle of a re-key: given the store's environment and an operator key,
 * it asks for a re-key of the moscow segment and SIGKILLs itself as soon as the first page of templates has
 * been moved (the matcher is told of the move only after that page commits), before the old seed is
 * destroyed: as a power cut or an OOM kill would leave things.
 * Usage: tsx test/crash/rekey-then-die.ts '<json {env, operatorKey}>'
 */
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry } from '../../src/composition.js';

const { env, operatorKey } = JSON.parse(process.argv[2]!) as { env: Record<string, string>; operatorKey: string };
const registry = await buildRegistry(loadConfig({ ...env, OBLIK_ENGINE_THREADS: '1' }));
registry.matcher.remove = () => process.kill(process.pid, 'SIGKILL');
const res = await registry.app.inject({
  method: 'POST',
  url: '/v1/segments/moscow/rekey',
  headers: { authorization: `Bearer ${operatorKey}` },
});
// Reaching here means the re-key finished without moving a page: the parent test fails on the exit code.
console.log(JSON.stringify({ status: res.statusCode, body: res.json() }));
await registry.close();
process.exit(0);
