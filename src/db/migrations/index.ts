import type { Migration } from 'kysely';
import * as registry from './2026-11-23T0900-registry.js';
import * as transparency from './2026-11-23T1500-transparency.js';
import * as citizenControl from './2026-11-23T1510-citizen-control.js';
import * as telecomContracts from './2026-12-01T0100-telecom-contracts.js';
import * as enrolmentAttempts from './2026-12-02T0200-enrolment-attempts.js';
import * as bankTransfers from './2026-12-02T0500-bank-transfers.js';

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
  '2026-12-02T0500-bank-transfers': bankTransfers,
};
