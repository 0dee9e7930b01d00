/**
 * A registry process that dies in a gate pass between the decision and its charge: given the store's
 * environment (with a development payments ledger file), a transit operator's key, a step of the payment
 * outbox and a face, it makes one pass and SIGKILLs itself when the charge reaches the step.
 * Usage: tsx test/crash/pass-then-die.ts '<json {env, apiKey, step, image}>'
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry } from '../../src/composition.js';

const { env, apiKey, step, image } = JSON.parse(process.argv[2]!) as {
  env: Record<string, string>;
  apiKey: string;
  step: 'port_calling' | 'port_answered';
  image: string;
};
const registry = await buildRegistry(loadConfig({ ...env, OBLIK_ENGINE_THREADS: '1' }), {
  chargeProbe: (reached) => {
    if (reached === step) process.kill(process.pid, 'SIGKILL');
  },
});
const res = await registry.app.inject({
  method: 'POST',
  url: '/v1/transit/passes',
  headers: { authorization: `Bearer ${apiKey}` },
  payload: { gateId: 'g-1', eventId: 'e-crash', image: (await readFile(image)).toString('base64') },
});
console.log(JSON.stringify({ status: res.statusCode, body: res.json() }));
// Reaching here means the step was never hit: the parent test fails on the exit code.
await registry.close();
process.exit(0);
