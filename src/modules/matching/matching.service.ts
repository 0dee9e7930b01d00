import type { FaceEngine } from '../../biometrics/face-engine.js';
import type { AccessService } from '../access/access.service.js';
import { captureRequirements } from '../access/capture-requirements.js';
import type { Effect } from '../access/effect.js';
import type { CallContext } from '../access/principal.js';
import type { Purpose } from '../access/purposes.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { Pseudonyms } from '../pseudonyms/pseudonyms.js';
import type { TemplateGalleries } from '../templates/galleries.js';
import type { MatcherSync } from '../templates/matcher-sync.js';
import { compareHits } from '../../matcher/scoring.js';
import type { Hit } from '../../matcher/vector-index.js';
import { reportedMeasure, reportedScore } from './reported-figures.js';

export interface MatchingSettings {
  readonly matchThreshold: number;
  /** The 1:N threshold for a search over this many templates. */
  readonly identifyThreshold: (galleryTemplates: number) => number;
  readonly maxCandidates: number;
  readonly requireLiveness: boolean;
}

export interface Verification {
  readonly match: boolean;
  readonly score: number;
  readonly threshold: number;
}

export interface Identification {
  /** Best first; each person under the calling party's own pseudonym. */
  readonly candidates: { readonly personId: string; readonly score: number }[];
  readonly threshold: number;
  /**
   * With `runnerUp`: the best score of anyone in the searched scope other than the first candidate, above the
   * threshold or not, admissible or not (a look-alike without consent is still a reason not to decide), or null
   * when the scope holds nobody else. Absent without `runnerUp`, and when there is no candidate.
   */
  readonly runnerUpScore?: number | null;
}

export interface VerificationRequest {
  /** The calling party's pseudonym for the claimed person. */
  readonly personId: string;
  readonly image: Uint8Array;
  readonly purpose: Purpose;
}

/**
 * An identification. Its scope is every segment the party may search, or `segment`; with `group`, only the
 * members of a group of persons (a venue's access list, a school's pupils), searched by the matcher over the
 * group with the group's own threshold (a small group keeps the 1:1 level). A caller never narrows a wider
 * search's candidates itself (the threshold would be the wider gallery's).
 */
export interface IdentificationRequest {
  readonly image: Uint8Array;
  readonly purpose: Purpose;
  readonly segment?: string;
  /** The group's members, by the calling party's pseudonyms. */
  readonly group?: readonly string[];
  /** At most this many candidates (capped by the deployment's maximum). */
  readonly limit?: number;
  /** Also report {@link Identification.runnerUpScore}, for a decision that needs a margin over the second. */
  readonly runnerUp?: boolean;
}

/**
 * The matcher's candidates are filtered through the store (consent, deletion) before the top-k cut: this many
 * are fetched (and asked about) at first, and the pool doubles until enough are admissible or none are left
 * above the threshold, so that no number of people without consent can crowd out those with it.
 */
const CANDIDATE_POOL = 200;

/**
 * 1:1 verification and 1:N identification, each authorised by the one authorisation step and audited in the
 * transaction that stores its idempotent answer. Every probe's liveness is measured and recorded with the
 * decision; where liveness is required (deployment or relying party), a suspected spoof is refused before
 * it is compared. A relying-party application passes an {@link Effect} to commit its own write (a fare, an
 * entry) with the audit record.
 */
export class MatchingService {
  constructor(
    private readonly engine: Pick<FaceEngine, 'capture'>,
    private readonly gallery: { readonly galleries: TemplateGalleries; readonly sync: MatcherSync },
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly pseudonyms: Pseudonyms,
    private readonly settings: MatchingSettings,
  ) {}

  /** 1:1; with `effect`, resolves to the effect's value (see {@link Effect}). */
  verify(ctx: CallContext, input: VerificationRequest): Promise<Verification>;
  verify<T>(ctx: CallContext, input: VerificationRequest, effect: Effect<Verification, T>): Promise<T>;
  async verify<T>(
    ctx: CallContext,
    input: VerificationRequest,
    effect?: Effect<Verification, T>,
  ): Promise<T | Verification> {
    const person = await this.access.authoriseVerification(ctx, input.personId, input.purpose);
    const replayed = await this.idempotency.replay<T | Verification>(ctx);
    if (replayed !== undefined) return replayed;
    const capture = await this.access.afterAuthorisation(
      ctx,
      { action: 'verification', purpose: input.purpose, segmentId: person.segment_id, personId: person.id },
      () => this.engine.capture(input.image, captureRequirements('probe', ctx.principal, this.settings)),
    );
    const { modelPack, vector } = capture.template;
    await this.gallery.sync.catchUp();
    const best = await this.gallery.galleries.verify(person.id, person.segment_id, modelPack, vector);
    const score = best ? reportedScore(best.score) : 0;
    const threshold = this.settings.matchThreshold;
    const result: Verification = { match: best !== undefined && best.score >= threshold, score, threshold };
    const { value } = await this.idempotency.commit(ctx, 200, async (tx) => {
      await this.audit.record(tx, ctx, {
        action: 'verification',
        result: result.match ? 'match' : 'no_match',
        purpose: input.purpose,
        segmentId: person.segment_id,
        personId: person.id,
        templateId: best?.templateId,
        score: result.score,
        detail: {
          liveness: reportedMeasure(capture.face.liveness),
          ...(best ? {} : { reason: 'no_template_for_model_pack', modelPack }),
        },
      });
      return effect ? effect(tx, result) : result;
    });
    return value;
  }

  /**
   * A replayed identification, re-checked as verification is on replay: a candidate erased, locked or whose
   * grant was revoked since the first answer is dropped.
   */
  private async stillAdmissible(ctx: CallContext, stored: Identification, input: IdentificationRequest) {
    const named = await Promise.all(
      stored.candidates.map(async (c) => ({ c, id: await this.pseudonyms.resolve(ctx.principal.id, c.personId) })),
    );
    const ids = named.flatMap((n) => (n.id === undefined ? [] : [n.id]));
    const admissible = await this.access.admissibleCandidates(ctx, ids, input.purpose);
    const candidates = named.filter((n) => n.id !== undefined && admissible.has(n.id)).map((n) => n.c);
    return { ...stored, candidates };
  }

  /**
   * Admits a person (by the party's pseudonym) to one of the party's groups: the same authorisation and consent
   * a search for the purpose would apply (`consent.missing` without a grant; for a minor, a guardian's).
   */
  async admitMember(ctx: CallContext, personId: string, purpose: Purpose): Promise<void> {
    await this.access.authoriseGroupMember(ctx, personId, purpose);
  }

  /** 1:N; with `effect`, resolves to the effect's value (see {@link Effect}). */
  identify(ctx: CallContext, input: IdentificationRequest): Promise<Identification>;
  identify<T>(ctx: CallContext, input: IdentificationRequest, effect: Effect<Identification, T>): Promise<T>;
  async identify<T>(
    ctx: CallContext,
    input: IdentificationRequest,
    effect?: Effect<Identification, T>,
  ): Promise<T | Identification> {
    const segments = await this.access.authoriseIdentification(ctx, input.purpose, input.segment);
    const replayed = await this.idempotency.replay<T | Identification>(ctx);
    if (replayed !== undefined) return effect ? replayed : this.stillAdmissible(ctx, replayed as Identification, input);
    const capture = await this.access.afterAuthorisation(
      ctx,
      { action: 'identification', purpose: input.purpose, segmentId: input.segment },
      () => this.engine.capture(input.image, captureRequirements('probe', ctx.principal, this.settings)),
    );
    const { galleries, sync } = this.gallery;
    await sync.catchUp();
    const { modelPack, vector } = capture.template;
    const members = input.group && (await this.access.groupMembers(ctx, input.group));
    const threshold = this.settings.identifyThreshold(
      members ? galleries.sizeOfGroup(segments, members) : galleries.size(segments),
    );
    const limit = Math.min(input.limit ?? this.settings.maxCandidates, this.settings.maxCandidates);
    const search = (k: number) =>
      members
        ? galleries.identifyInGroup(segments, members, modelPack, vector, { k, minScore: threshold })
        : galleries.identify(segments, modelPack, vector, { k, minScore: threshold });
    const candidates = (await this.admissibleHits(ctx, search, input.purpose, limit)).map((h) => ({
      personId: h.owner,
      score: reportedScore(h.score),
    }));
    // The runner-up may score under the threshold and need not consent: the best two of the scope, whoever.
    const runnerUp =
      input.runnerUp && candidates[0]
        ? runnerUpOf(
            await galleries.identify(segments, capture.template.modelPack, capture.template.vector, { k: 2 }),
            candidates[0].personId,
          )
        : undefined;
    const liveness = reportedMeasure(capture.face.liveness);
    const { value } = await this.idempotency.commit(ctx, 200, async (tx) => {
      // The party sees each person only under its own pseudonym; the audit keeps the real id.
      const names = await this.pseudonyms.issue(
        tx,
        ctx.principal.id,
        candidates.map((c) => c.personId),
      );
      // One record per person returned, so each person's own history shows every use of their face.
      const fact = { action: 'identification', purpose: input.purpose, segmentId: input.segment } as const;
      const scope = members ? { segments, groupSize: members.length } : { segments };
      if (candidates.length === 0) {
        await this.audit.record(tx, ctx, { ...fact, result: 'no_match', detail: { ...scope, liveness } });
      }
      for (const [rank, c] of candidates.entries()) {
        await this.audit.record(tx, ctx, {
          ...fact,
          result: 'candidate',
          personId: c.personId,
          score: c.score,
          detail: { ...scope, rank: rank + 1, liveness },
        });
      }
      const result: Identification = {
        candidates: candidates.map((c) => ({ personId: names.get(c.personId)!, score: c.score })),
        threshold,
        ...(runnerUp === undefined ? {} : { runnerUpScore: runnerUp }),
      };
      return effect ? effect(tx, result) : result;
    });
    return value;
  }

  /**
   * The best `limit` hits this party may see, best first: the pool widens (doubling) past the first
   * {@link CANDIDATE_POOL} until `limit` are admissible or the search returns fewer than asked (none are left
   * above the threshold). Admissibility is asked of each new hit once, in chunks the store takes in one query.
   */
  private async admissibleHits(
    ctx: CallContext,
    search: (k: number) => Promise<Hit[]>,
    purpose: Purpose,
    limit: number,
  ): Promise<Hit[]> {
    const found: Hit[] = [];
    const asked = new Set<string>();
    for (let k = CANDIDATE_POOL; ; k *= 2) {
      const hits = await search(k);
      // The first hits of a wider search are the narrower one's (the order is total); skip those asked.
      const fresh = hits.filter((h) => !asked.has(h.owner));
      for (let at = 0; at < fresh.length && found.length < limit; at += CANDIDATE_POOL) {
        const chunk = fresh.slice(at, at + CANDIDATE_POOL);
        chunk.forEach((h) => asked.add(h.owner));
        const admissible = await this.access.admissibleCandidates(
          ctx,
          chunk.map((h) => h.owner),
          purpose,
        );
        found.push(...chunk.filter((h) => admissible.has(h.owner)));
      }
      if (found.length >= limit || hits.length < k) return found.sort(compareHits).slice(0, limit);
    }
  }
}

/** The best score of anyone but `first` (the pool holds each person once, best first). */
function runnerUpOf(pool: readonly { owner: string; score: number }[], first: string): number | null {
  const second = pool.find((h) => h.owner !== first);
  return second ? reportedScore(second.score) : null;
}
