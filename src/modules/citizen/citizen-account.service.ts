import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AuditService } from '../audit/audit.service.js';
import { incidentsRepository } from '../incidents/incidents.repository.js';
import type { ContactBook, Contact } from '../notifications/contact-book.js';
import type { Erasure } from '../persons/erasure.js';
import { readPersonRecord } from '../persons/person-record.js';
import { personsRepository } from '../persons/persons.repository.js';
import { principalsRepository } from '../principals/principals.repository.js';
import type { Pseudonyms } from '../pseudonyms/pseudonyms.js';
import { citizenContext } from './citizen-principal.js';
import type { CitizenSession } from './citizen-sessions.js';
import { citizenSessionsRepository } from './citizen-sessions.repository.js';
import type { CitizenSubjects } from './citizen-subjects.js';
import type { SignedTreeHead, UsageService } from './usage.service.js';

/** Rows per usage page while exporting (the export holds the whole history). */
const EXPORT_PAGE = 1000;

/**
 * The citizen's account: what is held about them, erasure of their biometrics at any time, closing the
 * account, the export of everything, contact details for notices, and the incidents that touched them.
 */
export class CitizenAccountService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly subjects: CitizenSubjects,
    private readonly erasure: Erasure,
    private readonly usage: UsageService,
    private readonly contacts: ContactBook,
    private readonly pseudonyms: Pseudonyms,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async me(session: CitizenSession, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const record = await readPersonRecord(this.db, person, isoNow(this.clock));
    const contact = await this.contacts.of(person.id, person.segment_id);
    return { ...record, contact: contact ?? null, session: { method: session.method, expiresAt: session.expiresAt } };
  }

  /** Erases the biometrics (see {@link Erasure}); the account and its history stay until it is closed. */
  async eraseBiometrics(session: CitizenSession, requestId: string, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    if (person.status !== 'active') {
      throw new AppError('citizen.biometrics_erased', 'the biometrics are already erased', {
        erasedAt: person.deleted_at,
      });
    }
    const done = await this.erasure.erase(citizenContext(session.personId, requestId), person, 'biometrics.erase');
    return { citizenId: person.id, ...done, erasedAt: isoNow(this.clock) };
  }

  /**
   * Closes the citizen's own account: biometrics erased first if still held, pseudonyms and contact details
   * forgotten, sessions ended. The audit records stay (the log is append-only) but no session can read them.
   */
  async close(session: CitizenSession, requestId: string) {
    const { person } = await this.subjects.resolve(session);
    const ctx = citizenContext(session.personId, requestId);
    if (person.status === 'active') await this.erasure.erase(ctx, person, 'biometrics.erase');
    await this.db.transaction().execute(async (tx) => {
      await personsRepository.markClosed(tx, person.id);
      await this.pseudonyms.forget(tx, person.id);
      await this.contacts.forget(tx, person.id);
      await citizenSessionsRepository.endAllOf(tx, person.id, isoNow(this.clock));
      await this.audit.record(tx, ctx, {
        action: 'account.close',
        result: 'closed',
        segmentId: person.segment_id,
        personId: person.id,
      });
    });
    return { citizenId: person.id, closedAt: isoNow(this.clock) };
  }

  /** The person a call acts on (the citizen, or a minor in their care). */
  async subjectId(session: CitizenSession, personId?: string): Promise<string> {
    return (await this.subjects.resolve(session, personId)).person.id;
  }

  /** The directory of relying parties a citizen may grant consent to. */
  async relyingParties() {
    const rows = await principalsRepository.list(this.db, 'relying_party');
    return rows
      .filter((r) => r.revoked_at === null)
      .map((r) => ({
        id: r.id,
        name: r.name,
        purposes: JSON.parse(r.purposes) as string[],
        segments: JSON.parse(r.segments) as string[],
      }));
  }

  async setContact(session: CitizenSession, contact: Contact) {
    const { person } = await this.subjects.resolve(session);
    await this.contacts.set(person.id, person.segment_id, contact);
    return { contact };
  }

  async incidents(session: CitizenSession, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const rows = await incidentsRepository.forPerson(this.db, person.id);
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
  async export(session: CitizenSession, requestId: string, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
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
      const page = await this.usage.history(person.id, { before }, EXPORT_PAGE, false);
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
