import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS_AVAILABLE, readFace, readScreenReplay, readSpoof } from '../../test/datasets.js';
import { startTestEngine } from '../../test/engine.js';
import { blurred, darkened, flatGrey, groupPhoto, pngHeader, tinyFace } from '../../test/images.js';
import { AppError, type ErrorCode } from '../errors/app-error.js';
import type { FaceEngine } from './face-engine.js';

let engine: FaceEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OBLIK_MAX_IMAGE_BYTES: String(2 * 1024 * 1024) });
});
afterAll(() => engine.close());

async function refusal(work: Promise<unknown>): Promise<AppError> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

const expectCode = async (work: Promise<unknown>, code: ErrorCode) => {
  const e = await refusal(work);
  expect(e.code).toBe(code);
  return e;
};

describe('every engine error code', () => {
  it('image.unreadable: an empty file', async () => {
    const e = await expectCode(engine.analyse(new Uint8Array(0)), 'image.unreadable');
    expect(e.status).toBe(400);
    expect(e.data).toEqual({ reason: 'empty' });
  });

  it('image.unreadable: a truncated JPEG', async () => {
    const jpeg = await readFace('small', 'deepface5', 'img1.jpg');
    await expectCode(engine.analyse(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'image.unreadable');
  });

  it('image.unreadable: JPEG magic followed by garbage', async () => {
    const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x5a)]);
    await expectCode(engine.analyse(junk), 'image.unreadable');
  });

  it('image.too_large: a 30000×30000 PNG header is refused before decoding', async () => {
    const e = await expectCode(engine.analyse(pngHeader(30000, 30000)), 'image.too_large');
    expect(e.status).toBe(413);
    expect(e.data).toMatchObject({ width: 30000, height: 30000 });
  });

  it('image.too_large: more bytes than allowed', async () => {
    const e = await expectCode(
      engine.analyse(Buffer.concat([pngHeader(10, 10), Buffer.alloc(3 * 1024 * 1024)])),
      'image.too_large',
    );
    expect(e.data).toMatchObject({ maxBytes: 2 * 1024 * 1024 });
  });

  it('image.unsupported_format: a text file', async () => {
    const e = await expectCode(engine.analyse(Buffer.from('name,face\nalice,yes\n')), 'image.unsupported_format');
    expect(e.status).toBe(415);
  });

  it('image.unsupported_format: a GIF', async () => {
    await expectCode(
      engine.analyse(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')),
      'image.unsupported_format',
    );
  });

  it('face.not_found: an image with no face', async () => {
    const e = await expectCode(engine.capture(await flatGrey()), 'face.not_found');
    expect(e.status).toBe(422);
  });

  it('face.multiple: a group photo of two comparably large faces', async () => {
    const photo = await groupPhoto(
      await readFace('small', 'deepface5', 'img1.jpg'),
      await readFace('small', 'deepface6', 'img13.jpg'),
    );
    const e = await expectCode(engine.capture(photo), 'face.multiple');
    expect(e.data).toEqual({ faces: 2 });
    // Analysing (rather than capturing) the same photo returns both faces.
    expect((await engine.analyse(photo)).faces).toHaveLength(2);
  });

  it('face.low_quality: a heavily blurred face, with the reason', async () => {
    const e = await expectCode(
      engine.capture(await blurred(await readFace('small', 'deepface5', 'img1.jpg'), 3)),
      'face.low_quality',
    );
    expect(e.data?.['reasons']).toContain('blurred');
  });

  it('face.low_quality: a face too small to use', async () => {
    const e = await expectCode(
      engine.capture(await tinyFace(await readFace('small', 'deepface5', 'img1.jpg'))),
      'face.low_quality',
    );
    expect(e.data?.['reasons']).toContain('face_too_small');
  });

  it('face.low_quality: an underexposed face', async () => {
    const e = await expectCode(
      engine.capture(await darkened(await readFace('small', 'deepface5', 'img1.jpg'))),
      'face.low_quality',
    );
    expect(e.data?.['reasons']).toContain('underexposed');
  });

  it('face.spoof_suspected: a face shown on a screen', async () => {
    const e = await expectCode(engine.capture(await readScreenReplay()), 'face.spoof_suspected');
    expect(e.data).toMatchObject({ reason: 'low_liveness' });
    expect(e.data?.['liveness']).toBeLessThan(e.data?.['threshold'] as number);
  });

  it.runIf(DATASETS_AVAILABLE)('face.spoof_suspected: a printed poster held to the camera', async () => {
    const e = await expectCode(
      // The poster's face is turned (quality would refuse it first): this checks liveness alone.
      engine.capture(await readSpoof('fake', 'silentface', 'image_F1_upright.jpg'), { enforceQuality: false }),
      'face.spoof_suspected',
    );
    expect(e.data?.['liveness']).toBeLessThan(e.data?.['threshold'] as number);
  });

  it('accepts a live face', async () => {
    const c = await engine.capture(await readFace('small', 'deepface5', 'img2.jpg'));
    expect(c.face.liveness).toBeGreaterThanOrEqual(engine.settings.livenessThreshold);
  });

  it.runIf(DATASETS_AVAILABLE)('accepts the live face of the same capture session', async () => {
    const c = await engine.capture(await readSpoof('real', 'silentface', 'image_T1_upright.jpg'));
    expect(c.face.liveness).toBeGreaterThanOrEqual(engine.settings.livenessThreshold);
  });
});
