/** What a capture gives: the image bytes, and when the frame was taken (ms, `performance.now()` clock). */
export interface Frame {
  readonly blob: Blob;
  readonly at: number;
}

export interface FrameOptions {
  /** Encoded as JPEG at this quality (0–1). */
  readonly quality?: number;
  /** Frames wider than this are scaled down (the engine needs no more; uploads stay small). */
  readonly maxWidth?: number;
}

const DEFAULTS = { quality: 0.92, maxWidth: 1280 } as const;

/**
 * The device camera, for kiosks and the portal: open it on a <video>, take a still frame, or a short series
 * of frames (for the active liveness challenge: N frames over T ms). Frames are JPEG blobs ready to post as
 * multipart `image`; nothing is kept after they are sent.
 */
export class Camera {
  private readonly canvas = document.createElement('canvas');

  private constructor(
    readonly video: HTMLVideoElement,
    private readonly stream: MediaStream,
  ) {}

  /** Asks for the camera (the browser asks the person) and starts showing it in `video`. */
  static async open(
    video: HTMLVideoElement,
    constraints: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' },
  ): Promise<Camera> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: constraints, audio: false });
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    await video.play();
    if (video.videoWidth === 0) {
      await new Promise<void>((resolve) => video.addEventListener('loadeddata', () => resolve(), { once: true }));
    }
    return new Camera(video, stream);
  }

  /** The current frame as a JPEG. */
  async frame(options: FrameOptions = {}): Promise<Frame> {
    const { quality, maxWidth } = { ...DEFAULTS, ...options };
    const at = performance.now();
    const scale = Math.min(1, maxWidth / this.video.videoWidth);
    this.canvas.width = Math.round(this.video.videoWidth * scale);
    this.canvas.height = Math.round(this.video.videoHeight * scale);
    const context = this.canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => this.canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob) throw new Error('the frame could not be encoded');
    return { blob, at };
  }

  /**
   * `count` frames spread evenly over `durationMs` (the first at once), for a challenge judged over time.
   * @example const frames = await camera.frames({ count: 8, durationMs: 2000 });
   */
  async frames(options: FrameOptions & { count: number; durationMs: number }): Promise<Frame[]> {
    const { count, durationMs } = options;
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    const interval = count > 1 ? durationMs / (count - 1) : 0;
    const start = performance.now();
    const frames: Frame[] = [];
    for (let i = 0; i < count; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      frames.push(await this.frame(options));
    }
    return frames;
  }

  /** Releases the camera (its light goes off). */
  stop(): void {
    for (const track of this.stream.getTracks()) track.stop();
    this.video.srcObject = null;
  }
}
