import type { MrzDocument } from '../registry.js';
import { statusAt } from './contract-terms.js';
import type { ContractRow, PortRequestRow } from './telecom.repository.js';

/** A contract as its operator sees it at `now`. */
export function contractView(row: ContractRow, now: string) {
  const { status, endedAt } = statusAt({ status: row.status, endsAt: row.ends_at, endedAt: row.ended_at }, now);
  return {
    contractId: row.id,
    personId: row.person_ref,
    msisdn: row.msisdn,
    status,
    startedAt: row.started_at,
    effectiveAt: row.ends_at,
    endedAt,
    endReason: status === 'ended' ? (row.end_reason ?? 'termination') : null,
  };
}

/** A port request as either operator sees it. */
export function portView(row: PortRequestRow) {
  return {
    id: row.id,
    msisdn: row.msisdn,
    status: row.status,
    donorOperatorId: row.donor_operator_id,
    recipientOperatorId: row.recipient_operator_id,
    requestedAt: row.requested_at,
    switchAt: row.switch_at,
    objectionReason: row.objection_reason,
    closedAt: row.closed_at,
  };
}

/** What the operator keeps of a document (sealed): number, names, birth date, nationality, expiry. */
export function documentRecord(d: MrzDocument) {
  return {
    format: d.format,
    documentCode: d.documentCode,
    issuingState: d.issuingState,
    documentNumber: d.documentNumber,
    surname: d.surname,
    givenNames: d.givenNames,
    birthDate: d.birthDate,
    nationality: d.nationality,
    expiryDate: d.expiryDate,
  };
}
