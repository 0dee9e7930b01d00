import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SegmentsService } from '../segments/segments.service.js';
import type { Repositories } from '../../repositories.js';
import type { DataKeys } from './data-keys.js';

export interface KeyStatus {
  readonly segment: string;
  readonly version: number;
  readonly state: 'active' | 'retired';
  readonly masterKeyId: string;
  readonly createdAt: string;
  readonly templates: number;
}

/** Every data key version with how many templates it seals (for the API and the CLI's `keys status`). */
export async function readKeyStatus(repos: Pick<Repositories, 'segmentKeys' | 'templates'>): Promise<KeyStatus[]> {
  const [keys, counts] = await Promise.all([repos.segmentKeys.list(), repos.templates.countByKeyVersion()]);
  return keys.map((k) => ({
    segment: k.segment_id,
    version: k.version,
    state: k.state,
    masterKeyId: k.master_key_id,
    createdAt: k.created_at,
    templates: counts.find((c) => c.segment_id === k.segment_id && c.key_version === k.version)?.n ?? 0,
  }));
}

/** Re-wraps what a segment's data key protects (person keys, transform seeds) under its active version. */
export type SegmentRewrap = (segmentId: string) => Promise<number>;

/**
 * Key rotation without downtime. A data-key rotation makes a new version active at once (new person keys are
 * wrapped under it) and re-wraps the older person keys and transform seeds in the background; reads use each
 * wrapped key's own version throughout. A master-key rotation re-wraps the data keys (see `oblik keys`).
 */
export class KeysService {
  private readonly running = new Map<string, Promise<number>>();

  constructor(
    private readonly repos: Pick<Repositories, 'segmentKeys' | 'templates'>,
    private readonly dataKeys: DataKeys,
    private readonly rewrapSegment: SegmentRewrap,
    private readonly segments: SegmentsService,
    private readonly audit: AuditService,
    private readonly access: Pick<AccessService, 'authoriseAdministrator'>,
    private readonly onBackgroundError: (error: unknown) => void,
  ) {}

  async status(ctx: CallContext): Promise<KeyStatus[]> {
    await this.access.authoriseAdministrator(ctx, 'key.list');
    return readKeyStatus(this.repos);
  }

  /** Rotates a segment's data key; the re-sealing continues after the response. */
  async rotateSegmentKey(ctx: CallContext, segmentId: string): Promise<{ segment: string; version: number }> {
    await this.access.authoriseAdministrator(ctx, 'key.rotate', segmentId);
    await this.segments.get(segmentId);
    const version = await this.dataKeys.rotate(segmentId);
    await this.audit.recordAlone(ctx, {
      action: 'key.rotate',
      result: 'rotated',
      segmentId,
      detail: { version },
    });
    this.reseal(segmentId);
    return { segment: segmentId, version };
  }

  /** Resolves when the segment's background re-sealing (if any) is done, with the number of templates moved. */
  resealed(segmentId: string): Promise<number> {
    return this.running.get(segmentId) ?? Promise.resolve(0);
  }

  /** Re-seals every segment's templates still under an old key version (also run at start-up). */
  async resealAll(): Promise<number> {
    let n = 0;
    for (const s of await this.segments.list()) n += await this.rewrapSegment(s.id);
    return n;
  }

  private reseal(segmentId: string): void {
    const previous = this.running.get(segmentId) ?? Promise.resolve(0);
    const next = previous.then(() => this.rewrapSegment(segmentId));
    // A failure is reported and retried by the next rotation or restart (templates keep their old, still
    // valid version meanwhile).
    this.running.set(
      segmentId,
      next.catch((e: unknown) => {
        this.onBackgroundError(e);
        return 0;
      }),
    );
  }
}
