import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { CallContext, DocumentInput, MrzDocument, RegistryServices, Tx } from '../registry.js';
import { contractLimitReached, endingCancellable, endingRequest } from './contract-terms.js';
import { contractView, documentRecord } from './contract-views.js';
import type { ContractRow, TelecomRepository } from './telecom.repository.js';
import { operatorOf, stepCall } from './telecom-operator.js';
import { TELECOM_PURPOSE, type TelecomSettings } from './telecom-settings.js';

export interface ContractApplication {
  readonly document: DocumentInput;
  readonly image: Uint8Array;
  readonly msisdn: string;
}

/** A new contract's subscriber and document, as decided in the registry's transaction. */
interface Subscriber {
  readonly personRef: string;
  readonly holderRef: string;
  readonly registry: 'new' | 'known';
}

/**
 * Mobile contracts signed, ended and resumed with the subscriber's face: a relying-party application that
 * decides through the registry only (its identity-document applications, 1:1 verification and enrolment), and
 * writes its contract rows in the registry's transaction, with the audit record of the face decision.
 */
export class ContractsService {
  constructor(
    private readonly registry: RegistryServices,
    private readonly contracts: TelecomRepository,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: TelecomSettings,
  ) {}

  /**
   * Signs a contract: the document read and checked, the live face searched 1:N in the operator's segment
   * (liveness required). A face known under another document is refused (`telecom.identity_conflict`) with a
   * fraud alert to the operator; a known face with this document gets the contract; a new face is enrolled
   * with consent to this operator, its document recorded in the same transaction.
   */
  async sign(ctx: CallContext, input: ContractApplication) {
    const operator = operatorOf(ctx);
    const reading = await this.registry.identityDocuments.read(input.document);
    const contractId = this.ids.next('ctr');
    const sealed = await this.registry.identityDocuments.sealRecord(
      ctx,
      operator.segment,
      contractId,
      documentRecord(reading.document),
    );
    const documentImage = 'image' in input.document ? input.document.image : undefined;
    const presented = await this.registry.identityDocuments.present(
      ctx,
      {
        image: input.image,
        document: reading.document,
        documentImage,
        segment: operator.segment,
        purpose: TELECOM_PURPOSE,
      },
      async (tx, p) => {
        if (p.document === 'conflict') return this.identityConflict(tx, ctx, p.personId!, input.msisdn);
        if (p.document === 'new_face') return { enrol: true as const, portraitScore: p.portraitScore };
        const subscriber = { personRef: p.personId!, holderRef: p.holderRef, registry: 'known' as const };
        const c = { id: contractId, msisdn: input.msisdn, sealed, segment: operator.segment };
        const opened = await this.open(tx, ctx, c, subscriber);
        return opened instanceof AppError ? opened : { ...opened, portraitScore: p.portraitScore };
      },
    );
    if (presented instanceof AppError) throw presented;
    const answer =
      'enrol' in presented ? await this.enrolAndOpen(ctx, input, reading.document, contractId, sealed) : presented;
    if (answer instanceof AppError) throw answer;
    const { portraitScore } = presented;
    return {
      contractId: answer.contractId,
      personId: answer.personId,
      msisdn: answer.msisdn,
      status: 'active' as const,
      startedAt: answer.startedAt,
      checks: {
        document: reading.source,
        ...(portraitScore === undefined ? {} : { portraitScore }),
        registry: answer.registry,
      },
    };
  }

  /**
   * Asks for the contract's end at `effectiveAt` (never before the application's own time), with the holder's
   * face (`telecom.face_mismatch`); the scheduler ends it at that instant.
   */
  async terminate(ctx: CallContext, contractId: string, input: { image: Uint8Array; effectiveAt: string }) {
    const contract = await this.ownContract(ctx, contractId);
    const appliedAt = isoNow(this.clock);
    const ending = endingRequest(termsOf(contract), appliedAt, input.effectiveAt);
    if (!ending.ok)
      throw new AppError(ending.code, endingMessage(ending.code), { effectiveAt: input.effectiveAt, appliedAt });
    return this.withHolderFace(ctx, contract, input.image, async (tx) => {
      if (!(await this.contracts.setEnding(tx, contract.id, ending.effectiveAt, appliedAt))) {
        return new AppError('telecom.ending_pending', 'the contract changed meanwhile; read it again');
      }
      return { contractId: contract.id, effectiveAt: ending.effectiveAt, status: 'ending' as const };
    });
  }

  /** Withdraws a pending ending, with the holder's face again. */
  async cancelEnding(ctx: CallContext, contractId: string, input: { image: Uint8Array }) {
    const contract = await this.ownContract(ctx, contractId);
    const now = isoNow(this.clock);
    const check = endingCancellable(termsOf(contract), now);
    if (!check.ok) throw new AppError(check.code, endingMessage(check.code));
    return this.withHolderFace(ctx, contract, input.image, async (tx) => {
      if (!(await this.contracts.clearEnding(tx, contract.id))) {
        return new AppError('telecom.not_ending', 'the contract has no pending ending');
      }
      return contractView({ ...contract, status: 'active', ends_at: null, ending_requested_at: null }, now);
    });
  }

  async get(ctx: CallContext, contractId: string) {
    return contractView(await this.ownContract(ctx, contractId), isoNow(this.clock));
  }

  /** The fraud alerts raised to this operator, newest first. */
  async fraudAlerts(ctx: CallContext, limit: number) {
    const operator = operatorOf(ctx);
    const rows = await this.contracts.alertsOf(operator.id, limit);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      personId: r.person_ref,
      msisdn: r.msisdn,
      createdAt: r.created_at,
    }));
  }

  /** Which operator served the number at `at` (default now), and since when. */
  async numberAt(ctx: CallContext, msisdn: string, at?: string) {
    operatorOf(ctx);
    const instant = at ? new Date(at).toISOString() : isoNow(this.clock);
    const [serving] = await this.contracts.servingAt(msisdn, instant);
    if (!serving) throw new AppError('telecom.number_not_found', 'no operator serves this number', { at: instant });
    return { msisdn, operatorId: serving.operator_id, since: serving.started_at, at: instant };
  }

  private async enrolAndOpen(
    ctx: CallContext,
    input: ContractApplication,
    document: MrzDocument,
    id: string,
    sealed: string,
  ) {
    const operator = operatorOf(ctx);
    const enrolment = {
      segment: operator.segment,
      channel: 'telecom',
      image: input.image,
      consents: [TELECOM_PURPOSE],
    };
    return this.registry.enrolment.enrol(stepCall(ctx, 'enrol'), enrolment, async (tx, enrolled) => {
      const holderRef = await this.registry.identityDocuments.bindEnrolled(
        tx,
        ctx,
        enrolled.personId,
        document,
        TELECOM_PURPOSE,
      );
      const subscriber = { personRef: enrolled.personId, holderRef, registry: 'new' as const };
      return this.open(tx, ctx, { id, msisdn: input.msisdn, sealed, segment: operator.segment }, subscriber);
    });
  }

  /**
   * Writes the contract in the registry's transaction, after the rules that need the store: the number free
   * everywhere, the subscriber under the limit. A refusal is returned, so the face decision's audit record stays.
   */
  private async open(
    tx: Tx,
    ctx: CallContext,
    c: { id: string; msisdn: string; sealed: string; segment: string },
    s: Subscriber,
  ) {
    if (await this.contracts.serving(c.msisdn, tx)) {
      return new AppError('telecom.number_in_use', 'this number is already served by a contract', { msisdn: c.msisdn });
    }
    const held = await this.contracts.heldBy(s.holderRef, tx);
    if (contractLimitReached(held.length, this.settings.maxContracts)) {
      return new AppError('telecom.contract_limit', 'the subscriber holds the most contracts allowed', {
        max: this.settings.maxContracts,
      });
    }
    const at = isoNow(this.clock);
    const row: ContractRow = {
      id: c.id,
      operator_id: ctx.principal.id,
      msisdn: c.msisdn,
      holder_ref: s.holderRef,
      person_ref: s.personRef,
      segment_id: c.segment,
      status: 'active',
      started_at: at,
      ends_at: null,
      ending_requested_at: null,
      ended_at: null,
      end_reason: null,
      registry: s.registry,
      sealed_document: c.sealed,
      port_request_id: null,
      created_at: at,
    };
    await this.contracts.insertContract(tx, row);
    return { contractId: c.id, personId: s.personRef, msisdn: c.msisdn, startedAt: at, registry: s.registry };
  }

  private async identityConflict(tx: Tx, ctx: CallContext, personRef: string, msisdn: string | null) {
    await this.contracts.insertAlert(tx, {
      id: this.ids.next('alr'),
      operator_id: ctx.principal.id,
      kind: 'identity_conflict',
      person_ref: personRef,
      msisdn,
      created_at: isoNow(this.clock),
    });
    return new AppError('telecom.identity_conflict', 'this face is enrolled under another identity document');
  }

  /** 1:1 with the contract's holder; `effect` runs in the verification's transaction only on a match. */
  private async withHolderFace<T>(
    ctx: CallContext,
    contract: ContractRow,
    image: Uint8Array,
    effect: (tx: Tx) => Promise<T | AppError>,
  ): Promise<T> {
    const answer = await this.registry.matching.verify(
      ctx,
      { personId: contract.person_ref, image, purpose: TELECOM_PURPOSE },
      async (tx, v) =>
        v.match ? effect(tx) : new AppError('telecom.face_mismatch', "the face is not the contract holder's"),
    );
    if (answer instanceof AppError) throw answer;
    return answer;
  }

  /** A contract of the calling operator; another operator's is `telecom.contract_not_found`, as is none. */
  private async ownContract(ctx: CallContext, id: string): Promise<ContractRow> {
    const operator = operatorOf(ctx);
    const row = await this.contracts.contract(id);
    if (!row || row.operator_id !== operator.id) {
      throw new AppError('telecom.contract_not_found', 'no such contract of this operator', { contractId: id });
    }
    return row;
  }
}

function termsOf(c: ContractRow) {
  return { status: c.status, endsAt: c.ends_at, endedAt: c.ended_at };
}

function endingMessage(code: string): string {
  switch (code) {
    case 'telecom.effective_before_application':
      return 'the ending cannot take effect before the application';
    case 'telecom.ending_pending':
      return 'the contract already has a pending ending';
    case 'telecom.not_ending':
      return 'the contract has no pending ending';
    default:
      return 'the contract has ended';
  }
}
