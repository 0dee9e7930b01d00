import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n';
import { Notice } from '../ui/form';
import { Camera } from './camera';

/** Where the face sits in the frame (fractions 0–1), to outline it. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The live camera picture with an optional outline around the face and a caption under it. Opens the camera
 * on mount, hands it to `onReady`, and releases it on unmount. A refused or missing camera is explained.
 */
export function CameraView(props: {
  label: string;
  onReady: (camera: Camera) => void;
  box?: FaceBox | null;
  tone?: 'ok' | 'warn';
  children?: ComponentChildren;
}) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const outline = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const { onReady } = props;
  useEffect(() => {
    let camera: Camera | undefined;
    let cancelled = false;
    if (!video.current) return;
    Camera.open(video.current).then(
      (opened) => {
        if (cancelled) return opened.stop();
        camera = opened;
        onReady(opened);
      },
      (e: unknown) => {
        const name = e instanceof DOMException ? e.name : '';
        setFailure(name === 'NotAllowedError' ? 'camera.denied' : 'camera.unavailable');
      },
    );
    return () => {
      cancelled = true;
      camera?.stop();
    };
  }, [onReady]);
  // The outline is placed through the CSSOM, which a strict CSP (no inline style attributes) allows. The
  // picture is mirrored (people expect a mirror), so the box is too.
  useEffect(() => {
    const el = outline.current;
    if (!el) return;
    const box = props.box;
    el.hidden = !box;
    if (!box) return;
    el.style.left = `${(1 - box.x - box.width) * 100}%`;
    el.style.top = `${box.y * 100}%`;
    el.style.width = `${box.width * 100}%`;
    el.style.height = `${box.height * 100}%`;
  }, [props.box]);
  return (
    <figure class="camera">
      <div class="camera-frame">
        <video ref={video} aria-label={props.label} muted playsInline autoPlay />
        <div ref={outline} class={`face-outline ${props.tone ?? 'warn'}`} hidden aria-hidden="true" />
      </div>
      <figcaption>{props.children}</figcaption>
      {failure ? (
        <Notice kind="error">{t(failure === 'camera.denied' ? 'camera.denied' : 'camera.unavailable')}</Notice>
      ) : null}
    </figure>
  );
}
