import { FaceEngine } from '../src/biometrics/face-engine.js';
import { loadConfig } from '../src/config/config.js';

/** A real engine with the default configuration (real model pack), two workers. */
export function startTestEngine(overrides: Record<string, string> = {}): Promise<FaceEngine> {
  const config = loadConfig({ OBLIK_ENGINE_THREADS: '2', ...overrides });
  return FaceEngine.start(config.engine);
}
