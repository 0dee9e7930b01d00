import { isoNow, type Clock } from '../../ports/clock.js';
import type { Repositories } from '../../repositories.js';
import type { AuditService } from '../audit/audit.service.js';
import type { ContactBook } from '../notifications/contact-book.js';
import type { PersonRecords } from '../persons/person-record.js';
import { citizenContext } from './citizen-principal.js';
import type { SignedInCitizen } from './citizen-sessions.service.js';
import type { CitizenSubjects } from './citizen-subjects.js';
import type { UsageFilter } from './usage.repository.js';
import type { SignedTreeHead, UsageService } from './usage.service.js';

/** Rows per usage page while exporting (the export holds the whole history). */
const EXPORT_PAGE = 1000;

/**
 * What is held about a citizen (or a minor in their care), as they see it: their record, the use of their
 * biometrics with its log proofs, the incidents that touched them, the directory of relying parties they may
 * grant consent to, and the export of everything.
 */
export class CitizenRecordsService {
  constructor(
    private readonly repos: Pick<Repositories, 'principals' | 'incidents'>,
    private readonly subjects: CitizenSubjects,
    private readonly records: PersonRecords,
    private readonly contacts: ContactBook,
    private readonly usageHistory: UsageService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async me(session: SignedInCitizen, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const record = await this.records.read(person, isoNow(this.clock));
    const contact = await this.contacts.of(person.id, person.segment_id);
    return {
      ...record,
      contact: contact ?? null,
      session: { method: session.method, expiresAt: session.expiresAt, stepUpRequired: session.stepUpRequired },
    };
  }

  /** A page of the usage history, newest first, each item with its inclusion proof. */
  async usage(session: SignedInCitizen, personId: string | undefined, filter: UsageFilter, limit: number) {
    return this.usageHistory.history(await this.subjects.resolve(session, personId), filter, limit);
  }

  /** The directory of relying parties a citizen may grant consent to. */
  async relyingParties() {
    const rows = await this.repos.principals.list('relying_party');
    return rows
      .filter((r) => r.revoked_at === null)
      .map((r) => ({
        id: r.id,
        name: r.name,
        purposes: JSON.parse(r.purposes) as string[],
        segments: JSON.parse(r.segments) as string[],
      }));
  }

  async incidents(session: SignedInCitizen, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const rows = await this.repos.incidents.forPerson(person.id);
    return rows.map((r) => ({
      id: r.id,
      recordedAt: r.created_at,
      responsible: { kind: r.responsible_kind, id: r.responsible_id, name: r.responsible_name ?? null },
      scope: { segmentId: r.segment_id, relyingPartyId: r.relying_party_id, from: r.window_from, to: r.window_to },
      description: r.description,
      contact: r.contact,
      actions: JSON.parse(r.actions) as Record<string, unknown>,
      notice: { status: r.status, sentAt: r.sent_at },
    }));
  }

  /** Everything held about the person, as one JSON document (template metadata, never vectors). */
  async export(session: SignedInCitizen, requestId: string, personId?: string) {
    const subject = await this.subjects.resolve(session, personId, 'data.export');
    const { person } = subject;
    await this.audit.recordAlone(citizenContext(session.personId, requestId), {
      action: 'data.export',
      result: 'exported',
      segmentId: person.segment_id,
      personId: person.id,
    });
    const usage = [];
    let before: number | undefined;
    let head: SignedTreeHead | null;
    for (;;) {
      const page = await this.usageHistory.history(subject, { before }, EXPORT_PAGE, false);
      head = page.treeHead;
      // Proofs are per tree head and fetched on demand: the export carries leaf indices and hashes.
      usage.push(...page.items.map((item) => omitProof(item)));
      if (page.next === null) break;
      before = Number(page.next);
    }
    return {
      format: 'oblik-export/v1',
      exportedAt: isoNow(this.clock),
      person: await this.me(session, personId),
      usage,
      incidents: await this.incidents(session, personId),
      treeHead: head,
    };
  }
}

function omitProof<T extends { inclusionProof: unknown }>(item: T): Omit<T, 'inclusionProof'> {
  const copy: Partial<T> = { ...item };
  delete copy.inclusionProof;
  return copy as Omit<T, 'inclusionProof'>;
}
