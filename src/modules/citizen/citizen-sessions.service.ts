import { createHash, randomBytes } from 'node:crypto';
import type { FaceEngine } from '../../biometrics/face-engine.js';
import type { Transactor, Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { base32 } from '../../ports/ids.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Repositories } from '../../repositories.js';
import { reportedMeasure, reportedScore } from '../matching/reported-figures.js';
import type { TemplateGalleries } from '../templates/galleries.js';
import type { MatcherSync } from '../templates/matcher-sync.js';
import { citizenContext } from './citizen-principal.js';
import type { CitizenSessionsRepository } from './citizen-sessions.repository.js';

export interface CitizenSession {
  readonly personId: string;
  readonly method: 'face' | 'code';
  readonly expiresAt: string;
  readonly tokenHash: string;
}

export interface CitizenSessionSettings {
  readonly sessionMinutes: number;
  readonly signInCodeMinutes: number;
  readonly maxFailedSignIns: number;
  readonly matchThreshold: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TOKEN_PREFIX = 'ocs_';

/**
 * How citizens sign in to their own account: their `citizenId` and a live face, checked 1:1 with liveness
 * always required, or a one-time code an operator issued (for a citizen who cannot use their face, or whose
 * biometrics are erased). Sessions are short; tokens and codes are stored only as hashes. A wrong face and an
 * unknown `citizenId` fail alike, and repeated failures pause face sign-in for that person.
 */
export class CitizenSessionsService {
  constructor(
    private readonly repos: { sessions: CitizenSessionsRepository; persons: Repositories['persons'] },
    private readonly transactions: Transactor,
    private readonly face: { engine: Pick<FaceEngine, 'capture'>; galleries: TemplateGalleries; sync: MatcherSync },
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: CitizenSessionSettings,
  ) {}

  async signInWithFace(requestId: string, citizenId: string, image: Uint8Array) {
    const person = await this.repos.persons.findActive(citizenId);
    const ctx = citizenContext(citizenId, requestId);
    if (person) await this.throttle(citizenId);
    // The capture runs for unknown ids too, so a wrong id costs what a wrong face does.
    const capture = await this.face.engine
      .capture(image, { enforceQuality: false, requireLiveness: true })
      .catch(async (e: unknown) => {
        if (person && e instanceof AppError) {
          await this.audit.recordAlone(ctx, {
            ...this.fact(person.segment_id, citizenId),
            result: `refused:${e.code}`,
          });
        }
        throw e;
      });
    if (!person) throw signInFailed();
    await this.face.sync.catchUp();
    const { modelPack, vector } = capture.template;
    const best = await this.face.galleries.verify(person.id, person.segment_id, modelPack, vector);
    const match = best !== undefined && best.score >= this.settings.matchThreshold;
    const fact = {
      ...this.fact(person.segment_id, person.id),
      result: match ? 'match' : 'no_match',
      templateId: best?.templateId,
      score: best ? reportedScore(best.score) : 0,
      detail: { liveness: reportedMeasure(capture.face.liveness) },
    };
    if (!match) {
      await this.audit.recordAlone(ctx, fact);
      throw signInFailed();
    }
    return this.transactions.transaction(async (tx) => {
      await this.audit.record(tx, ctx, fact);
      return this.openSession(tx, person.id, 'face');
    });
  }

  async signInWithCode(requestId: string, citizenId: string, code: string) {
    const person = await this.repos.persons.findOpen(citizenId);
    if (!person) throw signInFailed();
    return this.transactions.transaction(async (tx) => {
      const used = await this.repos.sessions.useCode(
        tx,
        sha256(code.trim().toLowerCase()),
        citizenId,
        isoNow(this.clock),
      );
      if (!used) throw signInFailed();
      await this.audit.record(tx, citizenContext(citizenId, requestId), {
        ...this.fact(person.segment_id, citizenId),
        result: 'match',
        detail: { method: 'code' },
      });
      return this.openSession(tx, citizenId, 'code');
    });
  }

  /** A one-time sign-in code for a citizen (administrator, or an operator of their segment); shown once. */
  async issueCode(ctx: CallContext, citizenId: string): Promise<{ code: string; expiresAt: string }> {
    const person = await this.access.authoriseOperatorOn(ctx, citizenId, 'citizen.sign_in_code', { erasedToo: true });
    const code = base32(randomBytes(10)).replace(/(.{4})(?=.)/g, '$1-');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.signInCodeMinutes * 60_000).toISOString();
    await this.transactions.transaction(async (tx) => {
      await this.repos.sessions.insertCode(tx, {
        code_hash: sha256(code),
        person_id: citizenId,
        issued_by: ctx.principal.id,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      });
      await this.audit.record(tx, ctx, {
        action: 'citizen.sign_in_code',
        result: 'issued',
        segmentId: person.segment_id,
        personId: citizenId,
        detail: { expiresAt },
      });
    });
    return { code, expiresAt };
  }

  /** The session a bearer token names, if it is current and its account is open. */
  async authenticate(token: string): Promise<CitizenSession | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.repos.sessions.findSession(sha256(token));
    if (!row || row.ended_at !== null || row.expires_at <= isoNow(this.clock)) return undefined;
    if (!(await this.repos.persons.findOpen(row.person_id))) return undefined;
    return { personId: row.person_id, method: row.method, expiresAt: row.expires_at, tokenHash: row.token_hash };
  }

  async signOut(session: CitizenSession): Promise<void> {
    await this.repos.sessions.endSession(session.tokenHash, isoNow(this.clock));
  }

  private async openSession(tx: Tx, personId: string, method: 'face' | 'code') {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.sessionMinutes * 60_000).toISOString();
    await this.repos.sessions.insertSession(tx, {
      token_hash: sha256(token),
      person_id: personId,
      method,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      ended_at: null,
    });
    return { token, expiresAt, citizenId: personId, method };
  }

  private async throttle(personId: string): Promise<void> {
    const since = new Date(this.clock.now().getTime() - this.settings.sessionMinutes * 60_000).toISOString();
    const failures = await this.repos.sessions.failedSignInsSince(personId, since);
    if (failures >= this.settings.maxFailedSignIns) {
      throw new AppError(
        'citizen.sign_in_throttled',
        'too many failed sign-ins: try later, or ask for a sign-in code',
        {
          retryAfterMinutes: this.settings.sessionMinutes,
        },
      );
    }
  }

  private fact(segmentId: string, personId: string) {
    return { action: 'citizen.sign_in' as const, segmentId, personId };
  }
}

function signInFailed(): AppError {
  return new AppError('citizen.sign_in_failed', 'sign-in failed: the face or code does not match this citizen id');
}
