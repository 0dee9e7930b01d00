import { ConfigError, loadConfig } from './config/config.js';
import { serve } from './server.js';

/** `npm start`: the registry server on the configured store (SQLite under OBLIK_DATA_DIR by default). */
try {
  await serve(loadConfig());
} catch (e) {
  // An operator needs the reason (a bad variable, an unreachable database, a missing key), not a stack.
  console.error(`oblik: cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
