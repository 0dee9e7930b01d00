import { randomBytes } from 'node:crypto';
import type { Transactor, Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { Repositories } from '../../repositories.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CitizenFaceCheck } from './citizen-face-check.js';
import { citizenContext } from './citizen-principal.js';
import type { CitizenSessionsRepository } from './citizen-sessions.repository.js';
import { secretHash } from './one-time-codes.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export type SessionMethod = 'face' | 'code' | 'face+code' | 'code+face';

export interface CitizenSession {
  readonly personId: string;
  readonly method: SessionMethod;
  readonly expiresAt: string;
  readonly tokenHash: string;
  /**
   * One factor only (a code an operator asked for): the session reads and erases, but creating grants, unlocking
   * and changing the contact answer `citizen.step_up_required` until a second factor is shown.
   */
  readonly stepUpRequired: boolean;
}

/** A session as one request carries it: its refusals are audited under the request's id. */
export interface SignedInCitizen extends CitizenSession {
  readonly requestId: string;
}

const TWO_FACTOR: readonly SessionMethod[] = ['face+code', 'code+face'];
const TOKEN_PREFIX = 'ocs_';

/** Refuses a one-factor session where a change needs two (see {@link CitizenSession.stepUpRequired}). */
export function requireTwoFactors(session: CitizenSession): void {
  if (session.stepUpRequired) {
    throw new AppError(
      'citizen.step_up_required',
      'this session was opened with one factor: show your face (POST /v1/citizen/sessions/current/step-up) first',
    );
  }
}

/** Citizens' sessions: opened by a completed sign-in, found by their token, stepped up, ended. */
export class CitizenSessionsService {
  constructor(
    private readonly repos: { sessions: CitizenSessionsRepository; persons: Repositories['persons'] },
    private readonly transactions: Transactor,
    private readonly faces: CitizenFaceCheck,
    private readonly throttle: SignInThrottle,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: { readonly sessionMinutes: number },
  ) {}

  /** Opens a session in the transaction that records the sign-in; the token is returned once, stored hashed. */
  async open(tx: Tx, personId: string, method: SessionMethod) {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.sessionMinutes * 60_000).toISOString();
    await this.repos.sessions.insertSession(tx, {
      token_hash: secretHash(token),
      person_id: personId,
      method,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      ended_at: null,
    });
    return { token, expiresAt, citizenId: personId, method, stepUpRequired: !TWO_FACTOR.includes(method) };
  }

  /** The session a bearer token names, if it is current and its account is open. */
  async authenticate(token: string): Promise<CitizenSession | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.repos.sessions.findSession(secretHash(token));
    if (!row || row.ended_at !== null || row.expires_at <= isoNow(this.clock)) return undefined;
    if (!(await this.repos.persons.findOpen(row.person_id))) return undefined;
    return {
      personId: row.person_id,
      method: row.method,
      expiresAt: row.expires_at,
      tokenHash: row.token_hash,
      stepUpRequired: !TWO_FACTOR.includes(row.method),
    };
  }

  /**
   * The second factor of a session opened by a code: the citizen's live face, 1:1 (face sign-ins are throttled
   * per source as at sign-in). A failure leaves the session as it was.
   */
  async stepUp(session: CitizenSession, requestId: string, source: string, image: Uint8Array) {
    await this.throttle.take({ kind: 'face', source });
    const person = await this.repos.persons.findActive(session.personId);
    if (!person) {
      throw new AppError('citizen.biometrics_erased', 'no face is held to step up with: sign in with face and code');
    }
    const checked = (await this.faces.check(requestId, session.personId, person, image))!;
    if (!checked.match) throw signInFailed();
    return this.transactions.transaction(async (tx) => {
      await this.repos.sessions.stepUp(tx, session.tokenHash);
      await this.audit.record(tx, citizenContext(session.personId, requestId), {
        ...checked.fact,
        detail: { ...checked.fact.detail, stepUp: true },
      });
      return { citizenId: session.personId, method: 'code+face' as const, expiresAt: session.expiresAt };
    });
  }

  async signOut(session: CitizenSession): Promise<void> {
    await this.repos.sessions.endSession(session.tokenHash, isoNow(this.clock));
  }
}

/** A wrong face, code or citizen id: one answer for all, so none of them can be told apart. */
export function signInFailed(): AppError {
  return new AppError('citizen.sign_in_failed', 'sign-in failed: the face or code does not match this citizen id');
}
