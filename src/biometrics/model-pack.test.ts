import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { ModelIntegrityError, readModelPack, readVerifiedModel } from './model-pack.js';

const bundled = loadConfig({}).engine.modelPackDir;

function copyPack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oblik-pack-'));
  for (const f of ['manifest.json', 'fr_detect.onnx', 'fr_landmark.onnx', 'fr_feature.onnx', 'fr_liveness.onnx']) {
    copyFileSync(join(bundled, f), join(dir, f));
  }
  return dir;
}

describe('model packs', () => {
  it('reads the bundled pack and verifies every model', () => {
    const pack = readModelPack(bundled);
    expect(pack.tag).toBe('faceplugin-fr512@2');
    expect(pack.embeddingDim).toBe(512);
    for (const role of ['detector', 'landmarks', 'embedder', 'liveness'] as const) {
      expect(readVerifiedModel(pack, role).length).toBeGreaterThan(100_000);
    }
  });

  it('refuses a model file whose bytes differ from the pinned digest', () => {
    const dir = copyPack();
    const file = join(dir, 'fr_feature.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(() => readVerifiedModel(readModelPack(dir), 'embedder')).toThrow(ModelIntegrityError);
    expect(() => readVerifiedModel(readModelPack(dir), 'embedder')).toThrow(/sha256/);
  });

  it('names a missing model file and how to install it', () => {
    const dir = copyPack();
    writeFileSync(join(dir, 'fr_detect.onnx'), '');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      files: { detector: { file: string } };
    };
    manifest.files.detector.file = 'absent.onnx';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    expect(() => readVerifiedModel(readModelPack(dir), 'detector')).toThrow(/npm run models/);
  });

  it('refuses an invalid manifest', () => {
    const dir = copyPack();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'Bad Id', version: '1' }));
    expect(() => readModelPack(dir)).toThrow(ModelIntegrityError);
    expect(() => readModelPack(join(dir, 'nowhere'))).toThrow(/manifest/);
  });
});
