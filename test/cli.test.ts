import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { facePath } from './datasets.js';

/** The `oblik` command run as a user runs it, from source through tsx so that it never tests a stale build. */
const root = fileURLToPath(new URL('..', import.meta.url));

function oblik(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args],
      { cwd: root, env: { ...process.env, OBLIK_ENGINE_THREADS: '2' } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

const amy = (n: number) => facePath('small', 'amy', `amy${n}.png`);

describe('oblik CLI', () => {
  it('compare: the same person matches, as JSON', async () => {
    const r = await oblik('compare', amy(1), amy(2), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      match: boolean;
      score: number;
      threshold: number;
      modelPack: string;
      faces: unknown[];
    };
    expect(out).toMatchObject({ match: true, modelPack: 'faceplugin-fr512@2' });
    expect(out.score).toBeGreaterThan(out.threshold);
    expect(out.faces).toHaveLength(2);
  });

  it('compare: different people do not match, in text', async () => {
    const r = await oblik('compare', amy(1), facePath('small', 'sheldon', 'sheldon1.png'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/similarity -?\d\.\d{4} \(threshold [\d.]+\): NO MATCH/);
  });

  it('analyse: prints faces, quality, liveness and timings', async () => {
    const r = await oblik('analyse', facePath('small', 'deepface5', 'img1.jpg'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      faceCount: number;
      faces: { quality: { score: number }; liveness: number }[];
      timingsMs: Record<string, number>;
    };
    expect(out.faceCount).toBeGreaterThanOrEqual(1);
    expect(out.faces[0]!.quality.score).toBeGreaterThan(0);
    expect(out.timingsMs['total']).toBeGreaterThan(0);
  });

  it('reports a bad input with its stable code and exit status 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblik-cli-'));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    const r = await oblik('compare', join(dir, 'notes.txt'), amy(1), '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'image.unsupported_format' } });
    const missing = await oblik('analyse', join(dir, 'absent.jpg'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/request\.invalid/);
  });
});
