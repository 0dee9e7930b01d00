import type { Tx } from '../../db/executor.js';

/**
 * What a relying-party application does with a registry decision, inside the registry's own transaction.
 *
 * The registry's service-facing calls (`MatchingService.verify` and `identify`, `EnrolmentService.enrol` and
 * `addTemplate`) take an optional effect. The registry authorises the call, captures and compares the face,
 * opens its transaction, writes its audit record (and, for an enrolment, the person and template), then runs
 * `effect(tx, outcome)`, where `outcome` is the answer as the calling party sees it (its own pseudonyms). The
 * effect's writes, the audit record and the stored idempotent answer commit together or not at all:
 * - the call resolves to the effect's value, which is also what a replay of the same `Idempotency-Key` returns
 *   (stored as JSON, so return plain JSON data);
 * - a thrown error rolls everything back, the audit record included, and reaches the caller;
 * - a returned `AppError` commits the effect's writes and the audit record, then is thrown to the caller (and
 *   to every replay), for a refusal that must stay on record.
 *
 * The effect runs while the registry holds its transaction (and, for an enrolment, its segment's section):
 * write through `tx` only (on SQLite a statement outside it would wait for it), and keep it short.
 *
 * @example
 * const pass = await matching.identify(ctx, { image, purpose: 'transit_fare' }, async (tx, found) => {
 *   const rider = found.candidates[0];
 *   return rider ? { decision: 'open', charge: await fares.charge(tx, rider.personId) } : { decision: 'refuse' };
 * });
 */
export type Effect<Outcome, T> = (tx: Tx, outcome: Outcome) => Promise<T>;
