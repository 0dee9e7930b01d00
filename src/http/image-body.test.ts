import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { imageBytes } from './image-body.js';

describe('image fields', () => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xfb, 0xff]);

  it('accepts standard and URL-safe base64, data URLs and folded lines', () => {
    expect(Buffer.from(imageBytes(bytes.toString('base64')))).toEqual(bytes);
    expect(Buffer.from(imageBytes(bytes.toString('base64url')))).toEqual(bytes);
    expect(Buffer.from(imageBytes(`data:image/jpeg;base64,${bytes.toString('base64')}`))).toEqual(bytes);
    expect(Buffer.from(imageBytes('/9j/\n4Pv/'))).toEqual(bytes);
  });

  it('refuses anything else as image.unreadable', () => {
    for (const bad of ['not base64!', 'abc=d', 'a']) {
      expect(() => imageBytes(bad)).toThrow(AppError);
    }
  });
});
