import type { components } from '../../api/schema';
import type { MessageKey } from '../../i18n/en';

export type CaptureFeedback = components['schemas']['CaptureFeedback'];
type Reason = CaptureFeedback['reasons'][number];

/** The order a person fixes things in: be there alone, then distance, then facing, then light, then stillness. */
const PRIORITY: readonly Reason[] = [
  'no_face',
  'multiple_faces',
  'face_too_small',
  'too_close',
  'yaw_too_large',
  'pitch_too_large',
  'underexposed',
  'overexposed',
  'blurred',
];

/** The one instruction to show for a frame's feedback: its most basic problem, or "ready". */
export function guidance(feedback: CaptureFeedback): MessageKey {
  if (feedback.ready) return 'kiosk.guide.ready';
  const first = PRIORITY.find((r) => feedback.reasons.includes(r)) ?? feedback.reasons[0] ?? 'no_face';
  return `kiosk.guide.${first}`;
}
