import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { CallContext, DocumentInput, RegistryServices, Tx } from '../registry.js';
import type { Transactor } from '../../db/executor.js';
import { documentRecord, portView } from './contract-views.js';
import { nextPortState, switchInstant, type PortEvent } from './port-request-state.js';
import type { PortRequestRow, TelecomRepository } from './telecom.repository.js';
import { operatorOf } from './telecom-operator.js';
import { TELECOM_PURPOSE, type TelecomSettings } from './telecom-settings.js';

export interface PortApplication {
  readonly msisdn: string;
  readonly image: Uint8Array;
  readonly document: DocumentInput;
  readonly switchAt?: string | undefined;
}

/**
 * Number porting at the recipient operator: the subscriber's face and document must be those of the number's
 * holder at the donor (`telecom.not_number_holder`); the donor sees the request and may object within the
 * notice period for the reasons the rules allow; the switch itself is the scheduler's (telecom-scheduler.ts).
 * Every change of a request is a transition of port-request-state.ts applied to a row still `pending`.
 */
export class PortingService {
  constructor(
    private readonly registry: RegistryServices,
    private readonly telecom: TelecomRepository,
    private readonly transactions: Transactor,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: TelecomSettings,
  ) {}

  async request(ctx: CallContext, input: PortApplication) {
    const operator = operatorOf(ctx);
    const requestedAt = isoNow(this.clock);
    const when = switchInstant(requestedAt, this.settings.portingNoticeMinutes, input.switchAt);
    if (!when.ok) {
      throw new AppError(when.code, 'the switch must leave the donor the notice period', { earliest: when.earliest });
    }
    const donor = await this.telecom.serving(input.msisdn);
    if (!donor) throw new AppError('telecom.number_not_found', 'no operator serves this number');
    if (donor.operator_id === operator.id) {
      throw new AppError('telecom.port_same_operator', 'this operator already serves the number');
    }
    const reading = await this.registry.identityDocuments.read(input.document);
    const recipientContractId = this.ids.next('ctr');
    const sealed = await this.registry.identityDocuments.sealRecord(
      ctx,
      operator.segment,
      recipientContractId,
      documentRecord(reading.document),
    );
    const documentImage = 'image' in input.document ? input.document.image : undefined;
    const answer = await this.registry.identityDocuments.present(
      ctx,
      {
        image: input.image,
        document: reading.document,
        documentImage,
        segment: operator.segment,
        purpose: TELECOM_PURPOSE,
      },
      async (tx, p) => {
        if (p.document === 'conflict') {
          await this.telecom.insertAlert(tx, {
            id: this.ids.next('alr'),
            operator_id: operator.id,
            kind: 'identity_conflict',
            person_ref: p.personId!,
            msisdn: input.msisdn,
            created_at: requestedAt,
          });
          return new AppError('telecom.identity_conflict', 'this face is enrolled under another identity document');
        }
        // The holder signed their contract with this face and document; anyone else is not the holder.
        const current = await this.telecom.serving(input.msisdn, tx);
        if (p.document === 'new_face' || !current || current.id !== donor.id || current.holder_ref !== p.holderRef) {
          return new AppError('telecom.not_number_holder', 'the face and document are not those of the number holder');
        }
        if (await this.telecom.pendingPort(input.msisdn, tx)) {
          return new AppError('telecom.port_pending', 'a port request for this number is already pending');
        }
        const row: PortRequestRow = {
          id: this.ids.next('prt'),
          msisdn: input.msisdn,
          recipient_operator_id: operator.id,
          donor_operator_id: donor.operator_id,
          donor_contract_id: donor.id,
          recipient_contract_id: recipientContractId,
          holder_ref: p.holderRef,
          person_ref: p.personId!,
          segment_id: operator.segment,
          registry: 'known',
          sealed_document: sealed,
          status: 'pending',
          requested_at: requestedAt,
          switch_at: when.switchAt,
          objection_reason: null,
          closed_at: null,
          close_reason: null,
        };
        await this.telecom.insertPortRequest(tx, row);
        return {
          id: row.id,
          status: 'pending' as const,
          donorOperatorId: row.donor_operator_id,
          switchAt: row.switch_at,
        };
      },
    );
    if (answer instanceof AppError) throw answer;
    return answer;
  }

  async list(ctx: CallContext, role: 'donor' | 'recipient', limit: number) {
    const operator = operatorOf(ctx);
    return (await this.telecom.portsOf(operator.id, role, limit)).map(portView);
  }

  /** The donor's objection, within the notice period, for an allowed reason. */
  object(ctx: CallContext, id: string, reason: string) {
    return this.apply(ctx, id, 'donor', (at) => ({ kind: 'object', at, reason }));
  }

  /** The recipient withdraws the request (for the subscriber) before the switch. */
  cancel(ctx: CallContext, id: string) {
    return this.apply(ctx, id, 'recipient', (at) => ({ kind: 'cancel', at }));
  }

  private async apply(ctx: CallContext, id: string, role: 'donor' | 'recipient', event: (at: string) => PortEvent) {
    const operator = operatorOf(ctx);
    return this.transactions.transaction(async (tx: Tx) => {
      const row = await this.telecom.portRequest(id, tx);
      const party = row && (role === 'donor' ? row.donor_operator_id : row.recipient_operator_id);
      if (!row || party !== operator.id) {
        throw new AppError('telecom.port_request_not_found', `no port request ${id} with this operator as ${role}`);
      }
      const at = isoNow(this.clock);
      const next = nextPortState(
        { status: row.status, requestedAt: row.requested_at, switchAt: row.switch_at },
        event(at),
      );
      if (!next.ok)
        throw new AppError(next.code, `the request cannot be changed: ${next.reason}`, { reason: next.reason });
      const change = {
        status: next.status,
        closed_at: at,
        close_reason: next.closeReason,
        objection_reason: next.objectionReason ?? null,
      };
      if (!(await this.telecom.closePort(tx, id, change))) {
        throw new AppError('telecom.port_closed', 'the request was closed meanwhile', { reason: 'raced' });
      }
      return portView({ ...row, ...change });
    });
  }
}
