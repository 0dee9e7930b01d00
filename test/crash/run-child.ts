import { spawn } from 'node:child_process';

/**
 * Runs one of the crash scripts in this folder in its own process (TypeScript through tsx) with `arg` as JSON,
 * and resolves when it ends, killed or not, with what it printed: the crash tests kill it mid-work and read
 * how far it got.
 */
export function runCrashScript(
  script: string,
  arg: object,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(arg)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}
