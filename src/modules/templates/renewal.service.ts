import { AppError } from '../../errors/app-error.js';
import type { Matcher } from '../../matcher/matcher.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import { systemContext } from '../access/system-principal.js';
import type { SegmentsService } from '../segments/segments.service.js';
import type { SegmentTransforms } from './segment-transforms.js';
import type { TemplateVault } from './template-vault.js';
import type { TemplatesRepository } from './templates.repository.js';
import type { ViewKey } from './transforms.repository.js';

/** What re-keying one view did. */
export interface ViewRekey {
  /** null for the segment's own view; else the relying party whose view it is. */
  readonly relyingPartyId: string | null;
  readonly transformVersion: number;
  readonly templatesMoved: number;
  readonly destroyedVersions: number[];
}

export interface RekeyResult {
  readonly segment: string;
  /** The segment's own view (its transform version and what moved there). */
  readonly transformVersion: number;
  readonly templatesMoved: number;
  readonly destroyedVersions: number[];
  /** Every view re-keyed: the segment's own and, for a whole segment, each relying party's. */
  readonly views: ViewRekey[];
}

/**
 * Re-keying renewable templates: every template of a view moves to a fresh transform without any image
 * (new = R₂·R₁ᵀ·old), then the old transform's seed is destroyed, so templates copied before the re-key match
 * nothing any more. A segment's re-key renews all its views; a relying party's re-key renews only the view that
 * holds its enrolments. Matching continues throughout: a person's template is in the old or the new gallery,
 * and searches cover both until the move ends.
 */
export class RenewalService {
  private readonly running = new Set<string>();

  constructor(
    private readonly templates: TemplatesRepository,
    private readonly matcher: Matcher,
    private readonly transforms: SegmentTransforms,
    private readonly vault: TemplateVault,
    private readonly segments: SegmentsService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Re-keys a segment (every view), or with `relyingPartyId` only that party's view of it (administrator, or
   * the segment's operator); audited.
   */
  async rekey(
    ctx: CallContext,
    segmentId: string,
    options: { relyingPartyId?: string | undefined; detail?: Record<string, unknown> } = {},
  ): Promise<RekeyResult> {
    await this.segments.get(segmentId);
    await this.access.authoriseOperator(ctx, 'segment.rekey', segmentId);
    const views = options.relyingPartyId
      ? [options.relyingPartyId]
      : [...new Set(['', ...(await this.transforms.views(segmentId))])];
    const done: ViewRekey[] = [];
    for (const view of views) done.push(await this.run({ segmentId, view }, ctx, { fresh: true }));
    const own = done.find((d) => d.relyingPartyId === null);
    const result = {
      segment: segmentId,
      transformVersion: own?.transformVersion ?? 0,
      templatesMoved: done.reduce((n, d) => n + d.templatesMoved, 0),
      destroyedVersions: own?.destroyedVersions ?? [],
      views: done,
    };
    await this.audit.recordAlone(ctx, {
      action: 'segment.rekey',
      result: 'rekeyed',
      segmentId,
      detail: { ...options.detail, ...result },
    });
    return result;
  }

  /**
   * At start-up: finishes a re-key a crash interrupted, and moves templates stored before renewable templates
   * into their segment's transform. Runs before the matcher loads, so it need not update it. What it finishes
   * is audited as the registry's own work (the operator's request was recorded when the re-key began): one
   * record per destroyed seed and one per view completed.
   */
  async settle(): Promise<number> {
    const ctx = systemContext('startup');
    let moved = 0;
    const legacy = new Set(await this.templates.segmentsWithLegacy());
    for (const { id } of await this.segments.list()) {
      for (const view of await this.transforms.views(id)) {
        const retiring = (await this.transforms.live({ segmentId: id, view })).some((t) => t.state === 'retiring');
        if (!retiring) continue;
        const done = await this.run({ segmentId: id, view }, ctx, { fresh: false });
        await this.recordResumed(id, done, { interruptedRekey: true });
        moved += done.templatesMoved;
      }
      if (legacy.has(id)) {
        const done = await this.run({ segmentId: id, view: '' }, ctx, { fresh: false });
        if (done.templatesMoved > 0) await this.recordResumed(id, done, { legacyTemplates: true });
        moved += done.templatesMoved;
      }
    }
    return moved;
  }

  private recordResumed(segmentId: string, done: ViewRekey, why: Record<string, unknown>): Promise<string> {
    return this.audit.recordAlone(systemContext('startup'), {
      action: 'segment.rekey',
      result: 'rekeyed',
      segmentId,
      detail: { ...why, completedAtStartup: true, ...done },
    });
  }

  private async run(at: ViewKey, ctx: CallContext, options: { fresh: boolean }): Promise<ViewRekey> {
    const lock = `${at.segmentId}|${at.view}`;
    if (this.running.has(lock)) {
      throw new AppError('rekey.in_progress', `segment ${at.segmentId} is being re-keyed`, { segment: at.segmentId });
    }
    this.running.add(lock);
    const relyingPartyId = at.view || null;
    try {
      const version = options.fresh
        ? await this.transforms.beginRekey(at, (tx, transformVersion) =>
            this.audit.record(tx, ctx, {
              action: 'segment.rekey',
              result: 'started',
              segmentId: at.segmentId,
              detail: { relyingPartyId, transformVersion },
            }),
          )
        : await this.transforms.activeVersion(at);
      const templatesMoved = await this.vault.moveSegment(at, version, (changes) => {
        for (const c of changes) {
          this.matcher.remove(c.removed);
          if (!this.matcher.has(c.added.templateId)) this.matcher.add(c.added);
        }
      });
      const destroyedVersions: number[] = [];
      for (const t of await this.transforms.live(at)) {
        if (t.state !== 'retiring') continue;
        // The seed's destruction is what makes copied templates useless: it is recorded in its own transaction.
        await this.transforms.destroy(at, t.version, (tx) =>
          this.audit.record(tx, ctx, {
            action: 'segment.rekey',
            result: 'seed_destroyed',
            segmentId: at.segmentId,
            detail: { relyingPartyId, transformVersion: t.version, replacedBy: version },
          }),
        );
        destroyedVersions.push(t.version);
      }
      return { relyingPartyId, transformVersion: version, templatesMoved, destroyedVersions };
    } finally {
      this.running.delete(lock);
    }
  }
}
