/**
 * A registry process that dies mid-enrolment: given the store's environment, a relying party key and a step,
 * it enrols one face fully, then a second one, and SIGKILLs itself when the second enrolment reaches the
 * step (no cleanup, no flush: as a power cut or an OOM kill would leave things).
 * Usage: tsx test/crash/enrol-then-die.ts '<json {env, apiKey, step, first, second}>'
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry } from '../../src/composition.js';

const { env, apiKey, step, first, second } = JSON.parse(process.argv[2]!) as {
  env: Record<string, string>;
  apiKey: string;
  step: string;
  first: string;
  second: string;
};
let enrolments = 0;
const registry = await buildRegistry(loadConfig({ ...env, OBLIK_ENGINE_THREADS: '1' }), {
  enrolmentProbe: (reached) => {
    if (reached === 'person_written') enrolments++;
    if (enrolments === 2 && reached === step) process.kill(process.pid, 'SIGKILL');
  },
});
for (const path of [first, second]) {
  const res = await registry.app.inject({
    method: 'POST',
    url: '/v1/persons',
    headers: { authorization: `Bearer ${apiKey}` },
    payload: {
      segment: 'moscow',
      channel: 'kiosk',
      consents: ['transit_fare'],
      image: (await readFile(path)).toString('base64'),
    },
  });
  console.log(JSON.stringify({ status: res.statusCode, body: res.json() }));
}
// Reaching here means the step was never hit: the parent test fails on the exit code.
await registry.close();
process.exit(0);
