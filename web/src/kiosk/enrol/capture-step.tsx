import { useCallback, useEffect, useState } from 'preact/hooks';
import { unwrap } from '../../api/errors';
import { withImage } from '../../api/multipart';
import type { OblikClient } from '../../api/oblik-client';
import type { Camera } from '../../camera/camera';
import { CameraView } from '../../camera/camera-view';
import { useI18n } from '../../i18n/i18n';
import { CheckboxGroup, ErrorNotice, Field, SelectField } from '../../ui/form';
import type { Self } from '../../ui/key-sign-in';
import type { Enrolment } from './enrol-app';
import { guidance, type CaptureFeedback } from './guidance';

/** A check every ~0.7 s: fast enough to guide a person, light on a shared engine. */
const CHECK_INTERVAL_MS = 700;

export interface Applicant {
  readonly segment: string;
  readonly consents: string[];
  readonly birthDate: string;
}

/**
 * The camera with live guidance from the engine's own quality reasons (`POST /v1/captures/quality`, nothing
 * stored), the applicant's segment, consents and birth date, and the enrol button, enabled once a frame is
 * ready. The enrolment carries an Idempotency-Key, so a retried click cannot enrol twice.
 */
export function CaptureStep(props: {
  api: OblikClient;
  self: Self;
  onEnrolled: (enrolment: Enrolment, applicant: Applicant) => void;
}) {
  const { t } = useI18n();
  const { api, self } = props;
  const [camera, setCamera] = useState<Camera | null>(null);
  const [feedback, setFeedback] = useState<CaptureFeedback | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [applicant, setApplicant] = useState<Applicant>({
    segment: self.segments[0] ?? '',
    consents: [],
    birthDate: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [attempt] = useState(() => crypto.randomUUID());
  const onReady = useCallback((c: Camera) => setCamera(c), []);

  useEffect(() => {
    if (!camera || busy || !applicant.segment) return;
    let stopped = false;
    void (async () => {
      while (!stopped) {
        const started = performance.now();
        try {
          const frame = await camera.frame({ maxWidth: 960, quality: 0.85 });
          const checked = await unwrap(
            api.POST('/v1/captures/quality', {
              body: { segment: applicant.segment, image: '' },
              bodySerializer: (b) => withImage(b, frame.blob),
            }),
          );
          if (stopped) return;
          setFeedback(checked);
          setCheckError(null);
        } catch (e) {
          if (stopped) return;
          setCheckError(e);
        }
        await new Promise((r) => setTimeout(r, Math.max(100, CHECK_INTERVAL_MS - (performance.now() - started))));
      }
    })();
    return () => {
      stopped = true;
    };
  }, [api, camera, busy, applicant.segment]);

  const enrol = async (e: Event) => {
    e.preventDefault();
    if (!camera) return;
    setBusy(true);
    setError(null);
    try {
      const frame = await camera.frame();
      const body = {
        segment: applicant.segment,
        channel: 'kiosk',
        consents: applicant.consents,
        image: '',
        ...(applicant.birthDate ? { birthDate: applicant.birthDate } : {}),
      };
      const enrolment = await unwrap(
        api.POST('/v1/persons', {
          body,
          bodySerializer: (b) => withImage(b, frame.blob),
          headers: { 'idempotency-key': `kiosk-${attempt}` },
        }),
      );
      props.onEnrolled(enrolment, applicant);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const message = feedback ? t(guidance(feedback)) : t('kiosk.guide.starting');
  const ready = feedback?.ready === true;
  return (
    <div class="kiosk">
      <section class="card" aria-labelledby="camera-title">
        <h2 id="camera-title">{t('kiosk.camera')}</h2>
        <CameraView
          label={t('kiosk.cameraLabel')}
          onReady={onReady}
          box={feedback?.box ?? null}
          tone={ready ? 'ok' : 'warn'}
        >
          <span class={`guide ${ready ? 'ok' : 'warn'}`} role="status" aria-live="polite" data-testid="guidance">
            {message}
          </span>
        </CameraView>
        <ErrorNotice error={checkError} />
      </section>
      <section class="card" aria-labelledby="applicant-title">
        <h2 id="applicant-title">{t('kiosk.applicant')}</h2>
        <form class="stack" onSubmit={(e) => void enrol(e)}>
          <SelectField
            label={t('common.segment')}
            value={applicant.segment}
            options={self.segments.map((s) => ({ value: s, label: s }))}
            onChange={(segment) => setApplicant({ ...applicant, segment })}
          />
          <CheckboxGroup
            legend={t('kiosk.consents')}
            options={self.purposes.map((p) => ({ value: p, label: t('kiosk.purpose', { purpose: p }) }))}
            value={applicant.consents}
            onChange={(consents) => setApplicant({ ...applicant, consents })}
          />
          <Field
            label={t('kiosk.birthDate')}
            hint={t('kiosk.birthDateHint')}
            type="date"
            value={applicant.birthDate}
            onInput={(e) => setApplicant({ ...applicant, birthDate: e.currentTarget.value })}
          />
          <p class="muted">{t('kiosk.noImageKept')}</p>
          <button type="submit" class="primary" disabled={!ready || busy} aria-busy={busy}>
            {busy ? t('kiosk.enrolling') : t('kiosk.enrol')}
          </button>
          <ErrorNotice error={error} />
        </form>
      </section>
    </div>
  );
}
