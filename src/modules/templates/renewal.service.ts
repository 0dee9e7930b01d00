import type { Matcher } from '../../matcher/matcher.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import { AppError } from '../../errors/app-error.js';
import type { SegmentsService } from '../segments/segments.service.js';
import type { SegmentTransforms } from './segment-transforms.js';
import type { TemplateVault } from './template-vault.js';
import { templatesRepository } from './templates.repository.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface RekeyResult {
  readonly segment: string;
  readonly transformVersion: number;
  readonly templatesMoved: number;
  readonly destroyedVersions: number[];
}

/**
 * Re-keying renewable templates: every template of a segment moves to a fresh transform without any image
 * (new = R₂·R₁ᵀ·old), then the old transform's seed is destroyed, so templates copied before the re-key match
 * nothing any more. Matching continues throughout: a person's template is in the old or the new gallery, and
 * searches cover both until the move ends.
 */
export class RenewalService {
  private readonly running = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly matcher: Matcher,
    private readonly transforms: SegmentTransforms,
    private readonly vault: TemplateVault,
    private readonly segments: SegmentsService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  /** Re-keys a segment (administrator, or the segment's operator); audited. */
  async rekey(ctx: CallContext, segmentId: string, detail: Record<string, unknown> = {}): Promise<RekeyResult> {
    await this.segments.get(segmentId);
    await this.access.authoriseOperator(ctx, 'segment.rekey', segmentId);
    const result = await this.run(segmentId, true);
    await this.audit.recordAlone(ctx, {
      action: 'segment.rekey',
      result: 'rekeyed',
      segmentId,
      detail: { ...detail, ...result },
    });
    return result;
  }

  /**
   * At start-up: finishes a re-key a crash interrupted, and moves templates stored before renewable templates
   * into their segment's transform. Runs before the matcher loads, so it need not update it.
   */
  async settle(): Promise<number> {
    let moved = 0;
    const legacy = new Set(await templatesRepository.segmentsWithLegacy(this.db));
    for (const { id } of await this.segments.list()) {
      const retiring = (await this.transforms.live(id)).some((t) => t.state === 'retiring');
      if (retiring || legacy.has(id)) moved += (await this.run(id, false)).templatesMoved;
    }
    return moved;
  }

  private async run(segmentId: string, fresh: boolean): Promise<RekeyResult> {
    if (this.running.has(segmentId)) {
      throw new AppError('rekey.in_progress', `segment ${segmentId} is being re-keyed`, { segment: segmentId });
    }
    this.running.add(segmentId);
    try {
      const version = fresh
        ? (await this.transforms.beginRekey(segmentId)).version
        : await this.transforms.activeVersion(segmentId);
      const templatesMoved = await this.vault.moveSegment(segmentId, version, (changes) => {
        for (const c of changes) {
          this.matcher.remove(c.removed);
          if (!this.matcher.has(c.added.templateId)) this.matcher.add(c.added);
        }
      });
      const destroyedVersions: number[] = [];
      for (const t of await this.transforms.live(segmentId)) {
        if (t.state !== 'retiring') continue;
        await this.transforms.destroy(segmentId, t.version);
        destroyedVersions.push(t.version);
      }
      return { segment: segmentId, transformVersion: version, templatesMoved, destroyedVersions };
    } finally {
      this.running.delete(segmentId);
    }
  }
}
