import { ConfigError, loadConfig } from './config/config.js';
import { serve } from './server.js';

/** `npm start`: the registry server on the configured store (SQLite under OBLIK_DATA_DIR by default). */
try {
  await serve(loadConfig());
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
