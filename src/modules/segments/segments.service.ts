import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError, assertThat } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { adminOnly, operatorMay } from '../access/access-policy.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DataKeys } from '../keys/data-keys.js';
import { isUniqueViolation } from '../idempotency/idempotency.service.js';
import { FEDERAL_SEGMENT } from './segment-id.js';
import { ageRulesOf, segmentsRepository, type SegmentRow } from './segments.repository.js';

export interface Segment {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

const toSegment = (r: Pick<SegmentRow, 'id' | 'name' | 'created_at'>): Segment => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
});

/** Segments: the federal one and the regional ones, each with its own data key from its first moment. */
export class SegmentsService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: DataKeys,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(ctx: CallContext, input: { id: string; name: string }): Promise<Segment> {
    const decision = adminOnly(ctx.principal);
    assertThat(decision.allowed, 'auth.forbidden', 'only an administrator may create segments');
    try {
      return await this.db.transaction().execute(async (tx) => {
        const segment = await this.insert(tx, input);
        await this.audit.record(tx, ctx, { action: 'segment.create', result: 'created', segmentId: input.id });
        return segment;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('segment.exists', `segment ${input.id} already exists`);
      throw e;
    }
  }

  /** Creates the federal segment and the configured ones if missing (at start-up; idempotent). */
  async ensure(segments: readonly { id: string; name: string }[]): Promise<string[]> {
    const created: string[] = [];
    for (const s of [FEDERAL_SEGMENT, ...segments]) {
      if (await segmentsRepository.find(this.db, s.id)) continue;
      try {
        await this.db.transaction().execute((tx) => this.insert(tx, s));
        created.push(s.id);
      } catch (e) {
        // Another instance created it first.
        if (!isUniqueViolation(e)) throw e;
      }
    }
    return created;
  }

  async list(): Promise<Segment[]> {
    return (await segmentsRepository.list(this.db)).map(toSegment);
  }

  async get(id: string): Promise<Segment> {
    const row = await segmentsRepository.find(this.db, id);
    if (!row) throw new AppError('segment.not_found', `no segment ${id}`, { segment: id });
    return toSegment(row);
  }

  /** A segment's rules for minors: the age of consent and the purposes a minor may be used for. */
  async ageRules(id: string): Promise<{ segment: string; ageOfConsent: number; minorPurposes: string[] }> {
    const row = await segmentsRepository.find(this.db, id);
    if (!row) throw new AppError('segment.not_found', `no segment ${id}`, { segment: id });
    return { segment: id, ...ageRulesOf(row) };
  }

  /** Sets the rules for minors (administrator, or the segment's operator); audited. */
  async setAgeRules(ctx: CallContext, id: string, rules: { ageOfConsent: number; minorPurposes: string[] }) {
    assertThat(
      operatorMay(ctx.principal, id).allowed,
      'auth.forbidden',
      "only the segment's operator may set its rules",
    );
    await this.get(id);
    await this.db.transaction().execute(async (tx) => {
      await segmentsRepository.setAgeRules(tx, id, rules);
      await this.audit.record(tx, ctx, { action: 'segment.policy', result: 'updated', segmentId: id, detail: rules });
    });
    return this.ageRules(id);
  }

  private async insert(tx: Kysely<Database>, input: { id: string; name: string }): Promise<Segment> {
    const row = { id: input.id, name: input.name, created_at: isoNow(this.clock) };
    await segmentsRepository.insert(tx, row);
    await this.keys.createFirst(tx, input.id);
    return toSegment(row);
  }
}
