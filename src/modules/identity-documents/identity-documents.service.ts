import { createHmac } from 'node:crypto';
import type { FaceEngine } from '../../biometrics/face-engine.js';
import type { Tx } from '../../db/executor.js';
import type { DocumentInput, DocumentReader, DocumentReading } from '../../documents/document-reader.js';
import { documentIdentity, type MrzDocument } from '../../documents/mrz.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { base32, type IdSource } from '../../ports/ids.js';
import type { Repositories } from '../../repositories.js';
import type { AccessService } from '../access/access.service.js';
import { consentAllows } from '../access/access-policy.js';
import type { Effect } from '../access/effect.js';
import type { CallContext } from '../access/principal.js';
import type { Purpose } from '../access/purposes.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { DataKeys } from '../keys/data-keys.js';
import { open, seal } from '../keys/sealing.js';
import { reportedMeasure, reportedScore } from '../matching/reported-figures.js';
import type { Pseudonyms, SecretSource } from '../pseudonyms/pseudonyms.js';
import type { TemplateGalleries } from '../templates/galleries.js';
import type { MatcherSync } from '../templates/matcher-sync.js';

/** An application signed with a live face and an identity document, as the party sees its outcome. */
export interface Presentation {
  /** The person whose face it is, under the party's pseudonym; absent when the face is new to the segment. */
  readonly personId?: string;
  readonly score?: number;
  /**
   * The person's document in the registry: `bound` (recorded now, their first), `same`, or `conflict` (the
   * face is enrolled under another document: nothing is granted); `new_face` when no one has this face.
   */
  readonly document: 'bound' | 'same' | 'conflict' | 'new_face';
  /** The presented document's reference for this purpose: the same for every party of the purpose. */
  readonly holderRef: string;
  /** The portrait on the document image against the live face, when an image was given. */
  readonly portraitScore?: number;
}

export interface PresentationRequest {
  readonly image: Uint8Array;
  readonly document: MrzDocument;
  /** The document's photo or scan, when given as one: its portrait must match the live face. */
  readonly documentImage?: Uint8Array | undefined;
  readonly segment: string;
  readonly purpose: Purpose;
}

export interface IdentityDocumentSettings {
  readonly identifyThreshold: (galleryTemplates: number) => number;
}

/**
 * Identity documents in the registry: reading them (src/documents/), the one keyed hash of each person's
 * document number (never the number), and applications a person signs in front of a relying party with their
 * live face and their document (a telecom contract). The person is present and applies, so the consent the
 * application gives is recorded (source `application`) unless a lock or the age rules forbid it; a face known
 * under another document is a conflict and nothing is granted. Every application goes through the one
 * authorisation step and is audited in the transaction of the party's effect.
 */
export class IdentityDocuments {
  private reader: Promise<DocumentReader> | undefined;
  private key: Buffer | undefined;

  constructor(
    private readonly startReader: () => Promise<DocumentReader>,
    private readonly engine: Pick<FaceEngine, 'capture'>,
    private readonly gallery: { readonly galleries: TemplateGalleries; readonly sync: MatcherSync },
    private readonly access: Pick<AccessService, 'authoriseEnrolment' | 'authoriseIdentification'>,
    private readonly registry: { audit: AuditService; idempotency: IdempotencyService; pseudonyms: Pseudonyms },
    private readonly repos: Pick<Repositories, 'identityDocuments' | 'consent' | 'persons' | 'pseudonyms'>,
    private readonly keys: { secrets: SecretSource; dataKeys: DataKeys },
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: IdentityDocumentSettings,
  ) {}

  /** Reads and checks a document (MRZ text or image); the OCR workers start on first use. */
  async read(input: DocumentInput): Promise<DocumentReading> {
    return (await this.documentReader()).read(input);
  }

  /**
   * An application with face and document: the party must be allowed to enrol and identify in the segment
   * for the purpose; the live face (liveness required) is searched 1:N in the segment whatever its consents
   * (the person is here, applying), then decided in one transaction with the party's `effect`.
   */
  async present<T>(ctx: CallContext, input: PresentationRequest, effect: Effect<Presentation, T>): Promise<T> {
    await this.access.authoriseEnrolment(ctx, input.segment);
    await this.access.authoriseIdentification(ctx, input.purpose, input.segment);
    const { audit, idempotency, pseudonyms } = this.registry;
    const replayed = await idempotency.replay<T>(ctx);
    if (replayed !== undefined) return replayed;
    const capture = await this.engine.capture(input.image, { enforceQuality: false, requireLiveness: true });
    const fact = { action: 'identification', purpose: input.purpose, segmentId: input.segment } as const;
    const liveness = reportedMeasure(capture.face.liveness);
    const portrait = input.documentImage
      ? await (await this.documentReader()).portraitScore(input.documentImage, capture.template)
      : undefined;
    if (portrait && !portrait.match) {
      await audit.recordAlone(ctx, { ...fact, result: 'refused:document.portrait_mismatch', detail: { liveness } });
      throw new AppError('document.portrait_mismatch', 'the portrait on the document is not the face presented', {
        portraitScore: reportedScore(portrait.score),
      });
    }
    const { galleries, sync } = this.gallery;
    await sync.catchUp();
    const [hit] = await galleries.identify([input.segment], capture.template.modelPack, capture.template.vector, {
      k: 1,
      minScore: this.settings.identifyThreshold(galleries.size([input.segment])),
    });
    const hash = await this.hashOf(input.document);
    const holderRef = this.refOf(hash, input.purpose);
    const checks = { holderRef, ...(portrait ? { portraitScore: reportedScore(portrait.score) } : {}) };
    const person = hit && (await this.repos.persons.findActive(hit.owner));
    // Read before the transaction: on SQLite a read outside it would wait for it.
    const consent = person && (await this.consentOf(ctx, person.id, input.purpose));
    const detail = { liveness, application: 'document', ...(portrait ? { portraitScore: checks.portraitScore } : {}) };
    const { value } = await idempotency.commit(ctx, 200, async (tx) => {
      if (!hit || !person) {
        await audit.record(tx, ctx, { ...fact, result: 'no_match', detail });
        return effect(tx, { document: 'new_face', ...checks });
      }
      const score = reportedScore(hit.score);
      const at = { ...fact, personId: person.id, score };
      if (consent?.refusal) {
        const reason = consent.refusal;
        await audit.record(tx, ctx, { ...at, result: 'refused:consent.missing', detail: { ...detail, reason } });
        return new AppError('consent.missing', 'the person has not consented to this purpose for this relying party', {
          reason,
        });
      }
      const document = await this.bindIn(tx, ctx, person.id, hash);
      if (document !== 'conflict' && !consent?.held) await this.grant(tx, ctx, person.id, input.purpose);
      await audit.record(tx, ctx, { ...at, result: 'candidate', detail: { ...detail, document } });
      const names = await pseudonyms.issue(tx, ctx.principal.id, [person.id]);
      return effect(tx, { personId: names.get(person.id)!, score, document, ...checks });
    });
    return value;
  }

  /**
   * Records the document of a person the party has just enrolled (named by its pseudonym), in the
   * enrolment's transaction; returns the document's reference for the purpose.
   */
  async bindEnrolled(tx: Tx, ctx: CallContext, pseudonym: string, document: MrzDocument, purpose: Purpose) {
    const personId = await this.repos.pseudonyms.personOf(ctx.principal.id, pseudonym, tx);
    if (!personId) throw new Error(`pseudonym ${pseudonym} was not issued to ${ctx.principal.id}`);
    const hash = await this.hashOf(document);
    const bound = await this.bindIn(tx, ctx, personId, hash);
    if (bound === 'conflict') throw new Error(`person ${personId} enrolled a moment ago already has a document`);
    return this.refOf(hash, purpose);
  }

  /** The reference of a person's document for a purpose (their citizen account's view), if one is recorded. */
  async holderRefOf(personId: string, purpose: Purpose): Promise<string | undefined> {
    const row = await this.repos.identityDocuments.find(personId);
    await this.loadKey();
    return row && this.refOf(row.document_hash, purpose);
  }

  /**
   * Seals a party's record about a person (a contract's document data) under the segment's data key, bound to
   * the party and the record's id: `v<version>.<base64>`.
   */
  async sealRecord(ctx: CallContext, segment: string, recordId: string, data: unknown): Promise<string> {
    const { version, key } = await this.keys.dataKeys.active(segment);
    const sealed = seal(
      key,
      Buffer.from(JSON.stringify(data)),
      recordBinding(ctx.principal.id, segment, recordId, version),
    );
    return `v${version}.${sealed.toString('base64')}`;
  }

  async openRecord(ctx: CallContext, segment: string, recordId: string, sealed: string): Promise<unknown> {
    const [, version, body] = /^v(\d+)\.(.+)$/.exec(sealed) ?? [];
    if (!version || !body) throw new Error(`record ${recordId} is not sealed`);
    const key = await this.keys.dataKeys.version(segment, Number(version));
    const plain = open(
      key,
      Buffer.from(body, 'base64'),
      recordBinding(ctx.principal.id, segment, recordId, Number(version)),
    );
    return JSON.parse(plain.toString()) as unknown;
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    if (reader) await (await reader).close();
  }

  private documentReader(): Promise<DocumentReader> {
    this.reader ??= this.startReader();
    return this.reader;
  }

  /**
   * Whether the person already consented to this party for the purpose, and why the application may not give
   * that consent (a lock, the age rules), if it may not.
   */
  private async consentOf(ctx: CallContext, personId: string, purpose: Purpose) {
    const state = (await this.repos.consent.stateOf([personId])).get(personId);
    if (!state) return { refusal: 'no_consent', held: false };
    const use = {
      relyingPartyId: ctx.principal.id,
      purpose,
      partySegments: ctx.principal.segments,
      now: isoNow(this.clock),
    };
    const held = consentAllows(state, use).allowed;
    const application = { relyingPartyId: ctx.principal.id, purpose, scope: 'segment' as const };
    const withApplication = {
      ...state,
      grants: [...state.grants, { ...application, expiresAt: null, revokedAt: null }],
    };
    const verdict = consentAllows(withApplication, use);
    return { refusal: verdict.allowed ? undefined : verdict.reason, held };
  }

  private async bindIn(tx: Tx, ctx: CallContext, personId: string, hash: string) {
    const bound = await this.repos.identityDocuments.find(personId, tx);
    if (bound) return bound.document_hash === hash ? ('same' as const) : ('conflict' as const);
    const row = { person_id: personId, document_hash: hash, bound_by: ctx.principal.id, bound_at: isoNow(this.clock) };
    await this.repos.identityDocuments.insert(tx, row);
    return 'bound' as const;
  }

  private async grant(tx: Tx, ctx: CallContext, personId: string, purpose: Purpose): Promise<void> {
    const now = isoNow(this.clock);
    await this.repos.consent.insertGrants(tx, [
      {
        id: this.ids.next('cns'),
        person_id: personId,
        relying_party_id: ctx.principal.id,
        purpose,
        scope: 'segment',
        source: 'application',
        granted_by: ctx.principal.id,
        granted_at: now,
        expires_at: null,
        revoked_at: null,
        revoked_by: null,
      },
    ]);
  }

  /** The registry's keyed hash of a document: kind, issuer and number (documentIdentity), never stored plain. */
  private async hashOf(document: MrzDocument): Promise<string> {
    const key = await this.loadKey();
    return createHmac('sha256', key)
      .update(`oblik/document/v1|${documentIdentity(document)}`)
      .digest('hex');
  }

  private async loadKey(): Promise<Buffer> {
    this.key ??= await this.keys.secrets.secret('documents');
    return this.key;
  }

  /** What a party of a purpose sees of a document hash: one reference per purpose, unlinkable across them. */
  private refOf(hash: string, purpose: Purpose): string {
    const mac = createHmac('sha256', this.key!).update(`oblik/document-ref/v1|${purpose}|${hash}`).digest();
    return `doc_${base32(mac.subarray(0, 16))}`;
  }
}

function recordBinding(partyId: string, segment: string, recordId: string, version: number): string {
  return `oblik/party-record/v1|${partyId}|${segment}|${recordId}|${version}`;
}
