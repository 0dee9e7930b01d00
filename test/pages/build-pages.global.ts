import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Vitest global setup: builds the pages once, before any test file runs, when the build is missing or older
 * than their sources (after `npm ci` it is fresh and nothing runs). Browser and serving tests use the result.
 */
export default function buildPagesIfStale(): void {
  const built = join(ROOT, 'dist/web/console/index.html');
  const sources = Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'vite.pages.config.ts')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.pages.config.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}
