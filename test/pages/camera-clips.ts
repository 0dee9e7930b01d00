import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS } from './browser.js';

const run = promisify(execFile);

export interface ClipOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

const CLIPS = join(ARTIFACTS, 'clips');
let counter = 0;

/** Letterboxes any image into the clip's frame, keeping its aspect, in the 4:2:0 format Chromium reads. */
function frameFilter(width: number, height: number): string {
  return (
    `scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=0x404040,setsar=1,format=yuv420p`
  );
}

/**
 * A .y4m clip of one still photo for Chromium's fake camera (`--use-file-for-fake-video-capture`), which
 * loops it. The photo is letterboxed, never cropped, so the face keeps the surroundings liveness needs.
 * Clips are written under test-artifacts/clips/ (never committed: they hold dataset faces).
 * @example const clip = await stillFaceClip(facePath('small', 'deepface5', 'img1.jpg'));
 */
export async function stillFaceClip(image: string, options: ClipOptions & { seconds?: number } = {}): Promise<string> {
  const { width = 640, height = 480, fps = 10, seconds = 2 } = options;
  mkdirSync(CLIPS, { recursive: true });
  const out = join(CLIPS, `still-${process.pid}-${++counter}.y4m`);
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', image],
    ...['-t', String(seconds), '-r', String(fps), '-vf', frameFilter(width, height), out],
  ]);
  return out;
}

/**
 * A .y4m clip from a sequence of frames (image files, any size or format), each shown for `frameMs`: for
 * head-turn clips made by warping a face, or replays. Chromium loops the clip.
 * @example const clip = await framesClip(turnFrames, { frameMs: 100 });
 */
export async function framesClip(
  frames: readonly string[],
  options: ClipOptions & { frameMs?: number } = {},
): Promise<string> {
  if (frames.length === 0) throw new Error('a clip needs at least one frame');
  const { width = 640, height = 480, fps = 10, frameMs = 100 } = options;
  mkdirSync(CLIPS, { recursive: true });
  const id = `${process.pid}-${++counter}`;
  const list = join(CLIPS, `frames-${id}.txt`);
  const seconds = (frameMs / 1000).toFixed(3);
  // The concat demuxer wants the last file named twice for its duration to count.
  const lines = [...frames, frames[frames.length - 1]!].map((f, i) =>
    i < frames.length
      ? `file '${f.replace(/'/g, "'\\''")}'\nduration ${seconds}`
      : `file '${f.replace(/'/g, "'\\''")}'`,
  );
  writeFileSync(list, lines.join('\n') + '\n');
  const out = join(CLIPS, `frames-${id}.y4m`);
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list],
    ...['-r', String(fps), '-vf', frameFilter(width, height), out],
  ]);
  return out;
}
