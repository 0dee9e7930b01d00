import type { FaceEngine } from '../../biometrics/face-engine.js';
import type { AccessService } from '../access/access.service.js';
import { captureRequirements } from '../access/capture-requirements.js';
import type { CallContext } from '../access/principal.js';
import { captureFeedback, type CaptureFeedback } from './capture-feedback.js';

/**
 * Live capture guidance for an enrolment desk: one frame in, the engine's quality reasons out, before any
 * enrolment. Nothing is stored, nothing is searched and no person is involved, so there is no consent to check
 * and no audit record to write (a refused caller is audited by the authorisation step). Only a party that may
 * enrol in the segment may ask, so the engine's capacity is not open to anyone with any key.
 */
export class CaptureQualityService {
  constructor(
    private readonly engine: Pick<FaceEngine, 'analyse'>,
    private readonly access: Pick<AccessService, 'authoriseEnrolment'>,
    private readonly settings: { readonly requireLiveness: boolean; readonly minLivenessContext: number },
  ) {}

  async check(ctx: CallContext, segment: string, image: Uint8Array): Promise<CaptureFeedback> {
    await this.access.authoriseEnrolment(ctx, segment);
    const analysis = await this.engine.analyse(image, { dominantOnly: true });
    const { requireLiveness } = captureRequirements('enrolment', ctx.principal, this.settings);
    return captureFeedback(analysis, { requireLiveness, minLivenessContext: this.settings.minLivenessContext });
  }
}
