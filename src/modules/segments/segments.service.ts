import { isUniqueViolation } from '../../db/constraint-errors.js';
import type { Transactor, Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DataKeys } from '../keys/data-keys.js';
import { FEDERAL_SEGMENT } from './segment-id.js';
import { ageRulesOf, type SegmentRow, type SegmentsRepository } from './segments.repository.js';

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
    private readonly segments: SegmentsRepository,
    private readonly transactions: Transactor,
    private readonly keys: DataKeys,
    private readonly audit: AuditService,
    private readonly access: Pick<AccessService, 'authoriseAdministrator' | 'authoriseOperator'>,
    private readonly clock: Clock,
  ) {}

  async create(ctx: CallContext, input: { id: string; name: string }): Promise<Segment> {
    await this.access.authoriseAdministrator(ctx, 'segment.create', input.id);
    // A taken id is refused by the store (segment.exists, through the constraint table in src/db).
    return this.transactions.transaction(async (tx) => {
      const segment = await this.insert(tx, input);
      await this.audit.record(tx, ctx, { action: 'segment.create', result: 'created', segmentId: input.id });
      return segment;
    });
  }

  /** Creates the federal segment and the configured ones if missing (at start-up; idempotent). */
  async ensure(segments: readonly { id: string; name: string }[]): Promise<string[]> {
    const created: string[] = [];
    for (const s of [FEDERAL_SEGMENT, ...segments]) {
      if (await this.segments.find(s.id)) continue;
      try {
        await this.transactions.transaction((tx) => this.insert(tx, s));
        created.push(s.id);
      } catch (e) {
        // Another instance created it first.
        if (!isUniqueViolation(e)) throw e;
      }
    }
    return created;
  }

  async list(): Promise<Segment[]> {
    return (await this.segments.list()).map(toSegment);
  }

  async get(id: string): Promise<Segment> {
    const row = await this.segments.find(id);
    if (!row) throw new AppError('segment.not_found', `no segment ${id}`, { segment: id });
    return toSegment(row);
  }

  /** A segment's rules for minors: the age of consent and the purposes a minor may be used for. */
  async ageRules(id: string): Promise<{ segment: string; ageOfConsent: number; minorPurposes: string[] }> {
    const row = await this.segments.find(id);
    if (!row) throw new AppError('segment.not_found', `no segment ${id}`, { segment: id });
    return { segment: id, ...ageRulesOf(row) };
  }

  /** Sets the rules for minors (administrator, or the segment's operator); audited. */
  async setAgeRules(ctx: CallContext, id: string, rules: { ageOfConsent: number; minorPurposes: string[] }) {
    await this.access.authoriseOperator(ctx, 'segment.policy', id);
    await this.get(id);
    await this.transactions.transaction(async (tx) => {
      await this.segments.setAgeRules(tx, id, rules);
      await this.audit.record(tx, ctx, { action: 'segment.policy', result: 'updated', segmentId: id, detail: rules });
    });
    return this.ageRules(id);
  }

  private async insert(tx: Tx, input: { id: string; name: string }): Promise<Segment> {
    const row = { id: input.id, name: input.name, created_at: isoNow(this.clock) };
    await this.segments.insert(tx, row);
    await this.keys.createFirst(tx, input.id);
    return toSegment(row);
  }
}
