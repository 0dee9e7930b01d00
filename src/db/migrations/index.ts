import type { Migration } from 'kysely';
import * as registry from './2026-11-23T0900-registry.js';
import * as transparency from './2026-11-23T1500-transparency.js';
import * as citizenControl from './2026-11-23T1510-citizen-control.js';
import * as telecomContracts from './2026-12-01T0100-telecom-contracts.js';
import * as enrolmentAttempts from './2026-12-02T0200-enrolment-attempts.js';
import * as twoFactorSignIn from './2026-12-02T0300-two-factor-sign-in.js';
import * as auditCommitments from './2026-12-02T0400-audit-commitments.js';
import * as bankTransfers from './2026-12-02T0500-bank-transfers.js';
import * as transitParking from './2026-12-02T0700-transit-parking.js';
import * as venuesSchools from './2026-12-02T0800-venues-schools.js';

/**
 * Every migration, in order. Append only: a released migration is never edited; a change is a new entry.
 * Listed in code (not read from a folder) so the built and the TypeScript trees migrate alike.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-23T0900-registry': registry,
  '2026-11-23T1500-transparency': transparency,
  '2026-11-23T1510-citizen-control': citizenControl,
  '2026-12-01T0100-telecom-contracts': telecomContracts,
  '2026-12-02T0200-enrolment-attempts': enrolmentAttempts,
  '2026-12-02T0300-two-factor-sign-in': twoFactorSignIn,
  '2026-12-02T0400-audit-commitments': auditCommitments,
  '2026-12-02T0500-bank-transfers': bankTransfers,
  '2026-12-02T0700-transit-parking': transitParking,
  '2026-12-02T0800-venues-schools': venuesSchools,
};
