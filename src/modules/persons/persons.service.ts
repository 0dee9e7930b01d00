import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Matcher } from '../../matcher/matcher.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import { templateEventsRepository } from '../templates/template-events.repository.js';
import { templatesRepository } from '../templates/templates.repository.js';
import { personsRepository } from './persons.repository.js';

/** What an operator sees of a person: metadata and consents, never a template vector. */
export interface PersonRecord {
  readonly personId: string;
  readonly segment: string;
  readonly createdAt: string;
  readonly enrolledBy: string;
  readonly consents: { readonly purpose: string; readonly source: string; readonly grantedAt: string }[];
  readonly templates: {
    readonly templateId: string;
    readonly modelPack: string;
    readonly channel: string;
    readonly enrolledBy: string;
    readonly createdAt: string;
    readonly quality: Record<string, number>;
    readonly liveness: number;
    readonly keyVersion: number;
  }[];
}

/** Operator actions on people: viewing a record and erasing a person's biometrics. */
export class PersonsService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly matcher: Matcher,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(ctx: CallContext, personId: string): Promise<PersonRecord> {
    const person = await this.access.authoriseOperatorOn(ctx, personId, 'person.view');
    const [consents, templates] = await Promise.all([
      personsRepository.listConsents(this.db, personId),
      templatesRepository.metadataOf(this.db, personId),
    ]);
    return {
      personId: person.id,
      segment: person.segment_id,
      createdAt: person.created_at,
      enrolledBy: person.enrolled_by,
      consents: consents.map((c) => ({ purpose: c.purpose, source: c.source, grantedAt: c.granted_at })),
      templates: templates.map((t) => ({
        templateId: t.id,
        modelPack: t.model_pack,
        channel: t.channel,
        enrolledBy: t.enrolled_by,
        createdAt: t.created_at,
        quality: JSON.parse(t.quality) as Record<string, number>,
        liveness: t.liveness,
        keyVersion: t.key_version,
      })),
    };
  }

  /**
   * Erases a person's templates and consents and leaves a tombstone for the audit trail. The matcher forgets
   * the templates before this returns; until then identification cannot return them either, because its
   * candidates are checked against the store.
   */
  async delete(ctx: CallContext, personId: string): Promise<{ personId: string; templatesErased: number }> {
    const person = await this.access.authoriseOperatorOn(ctx, personId, 'person.delete');
    const erased = await this.db.transaction().execute(async (tx) => {
      const ids = await templatesRepository.deleteOf(tx, personId);
      const at = isoNow(this.clock);
      await templateEventsRepository.append(
        tx,
        ids.map((id) => ({
          kind: 'removed' as const,
          template_id: id,
          person_id: personId,
          segment_id: person.segment_id,
          at,
        })),
      );
      await personsRepository.deleteConsents(tx, personId);
      await personsRepository.markDeleted(tx, personId, at);
      await this.audit.record(tx, ctx, {
        action: 'person.delete',
        result: 'deleted',
        segmentId: person.segment_id,
        personId,
        detail: { templatesErased: ids.length },
      });
      return ids;
    });
    this.matcher.removePerson(personId);
    return { personId, templatesErased: erased.length };
  }
}
