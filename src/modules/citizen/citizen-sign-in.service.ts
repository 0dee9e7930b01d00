import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { PersonRow, Repositories } from '../../repositories.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import { maskContactAddress } from '../notifications/contact-address.js';
import { codeAddressOf, type Contact, type ContactBook } from '../notifications/contact-book.js';
import type { MessageDelivery } from '../notifications/message-delivery.js';
import type { CitizenFaceCheck } from './citizen-face-check.js';
import { citizenContext } from './citizen-principal.js';
import type { CitizenSessionsRepository } from './citizen-sessions.repository.js';
import { signInFailed, type CitizenSessionsService } from './citizen-sessions.service.js';
import { challengeToken, codeHash, codeMessage, secondFactorCode, secretHash, signInCode } from './one-time-codes.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export interface SignInSettings {
  readonly signInCodeMinutes: number;
  readonly secondFactorMinutes: number;
}

/** Codes one challenge may have sent, and wrong codes it survives. */
const MAX_CODES_SENT = 3;
const MAX_WRONG_CODES = 3;

/**
 * Citizen sign-in in two factors. The face (live, 1:1) is the first and opens only a short challenge; a
 * one-time code sent to the citizen's contact completes it. A party that enrolled the face holds the photo and
 * the citizen id, but never the code, which goes to the contact the citizen gave (the receipt shows it masked)
 * and whose message warns a citizen who did not ask. The first completed sign-in verifies that contact.
 *
 * Operators can have a sign-in code sent to a citizen's verified contact (for one who cannot use their face);
 * the operator never sees it, and the session it opens needs a step-up before it may change anything that
 * grants access.
 */
export class CitizenSignInService {
  constructor(
    private readonly repos: { sessions: CitizenSessionsRepository; persons: Repositories['persons'] },
    private readonly transactions: Transactor,
    private readonly faces: CitizenFaceCheck,
    private readonly sessions: CitizenSessionsService,
    private readonly throttle: SignInThrottle,
    private readonly messages: { readonly contacts: ContactBook; readonly delivery: MessageDelivery },
    private readonly access: Pick<AccessService, 'authoriseOperatorOn'>,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: SignInSettings,
  ) {}

  /** The first factor: a live face. Answers a challenge to complete with a second factor, never a session. */
  async withFace(requestId: string, source: string, citizenId: string, image: Uint8Array) {
    await this.throttle.take({ kind: 'face', source });
    const person = await this.repos.persons.findActive(citizenId);
    const checked = await this.faces.check(requestId, citizenId, person, image);
    if (!person || !checked?.match) throw signInFailed();
    const token = challengeToken();
    const now = this.clock.now();
    const expiresAt = this.minutesFrom(now, this.settings.secondFactorMinutes);
    const contact = await this.messages.contacts.of(person.id, person.segment_id);
    await this.transactions.transaction(async (tx) => {
      await this.repos.sessions.insertChallenge(tx, {
        token_hash: secretHash(token),
        person_id: person.id,
        purpose: 'sign_in',
        code_hash: null,
        code_expires_at: null,
        codes_sent: 0,
        failures: 0,
        sealed_contact: null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      });
      await this.audit.record(tx, citizenContext(citizenId, requestId), {
        ...checked.fact,
        result: 'first_factor',
        detail: { ...checked.fact.detail, secondFactorDue: true },
      });
    });
    const secondFactors = codeAddressOf(contact) ? ['code' as const] : [];
    return { signInToken: token, expiresAt, factors: ['face' as const], secondFactors };
  }

  /** Sends the second factor's code to the citizen's contact (a few times per challenge at most). */
  async sendCode(requestId: string, signInToken: string) {
    const { person, contact } = await this.openChallenge(signInToken);
    const address = codeAddressOf(contact);
    if (!address) {
      throw new AppError('citizen.no_contact', 'no contact to send a code to: ask at a registry desk to add one');
    }
    const code = secondFactorCode();
    const expiresAt = this.minutesFrom(this.clock.now(), this.settings.secondFactorMinutes);
    const set = await this.repos.sessions.setChallengeCode(
      secretHash(signInToken),
      { hash: codeHash(code), expiresAt },
      MAX_CODES_SENT,
    );
    if (!set) throw throttled();
    const kind = contact?.verifiedAt ? 'sign_in' : 'activation';
    await this.deliver({ ...address, text: codeMessage(kind, code, this.settings.secondFactorMinutes) });
    const sentTo = maskContactAddress(address);
    await this.audit.recordAlone(citizenContext(person.id, requestId), {
      action: 'citizen.sign_in_code',
      result: 'sent',
      segmentId: person.segment_id,
      personId: person.id,
      detail: { factor: 'code', channel: address.channel, sentTo, activation: kind === 'activation' },
    });
    return { channel: address.channel, sentTo, expiresAt };
  }

  /** The second factor: the code sent for this challenge. Completes the sign-in with a two-factor session. */
  async completeWithCode(requestId: string, source: string, signInToken: string, code: string) {
    await this.throttle.take({ kind: 'code', source });
    const { person, contact } = await this.openChallenge(signInToken);
    const ctx = citizenContext(person.id, requestId);
    const fact = { action: 'citizen.sign_in' as const, segmentId: person.segment_id, personId: person.id };
    await this.throttle.take({ kind: 'second_factor', personId: person.id }).catch(async (e: unknown) => {
      await this.audit.recordAlone(ctx, { ...fact, result: 'refused:citizen.sign_in_throttled' });
      throw e;
    });
    // The first completed sign-in proves the contact given at enrolment reaches the citizen.
    const verified =
      contact && !contact.verifiedAt
        ? await this.messages.contacts.sealed(person.id, person.segment_id, {
            ...contact,
            verifiedAt: isoNow(this.clock),
          })
        : undefined;
    const session = await this.transactions.transaction(async (tx) => {
      const at = isoNow(this.clock);
      const used = await this.repos.sessions.useChallenge(
        tx,
        secretHash(signInToken),
        codeHash(code),
        at,
        MAX_WRONG_CODES,
      );
      if (!used) return undefined;
      if (verified) await this.messages.contacts.store(verified, tx);
      await this.audit.record(tx, ctx, { ...fact, result: 'match', detail: { method: 'face+code' } });
      return this.sessions.open(tx, person.id, 'face+code');
    });
    if (session) return session;
    await this.repos.sessions.countChallengeFailure(secretHash(signInToken));
    await this.audit.recordAlone(ctx, { ...fact, result: 'no_match', detail: { factor: 'code' } });
    throw signInFailed();
  }

  /**
   * Sends a one-time sign-in code to a citizen's verified contact at an operator's request (administrator, or an
   * operator of their segment). The operator learns where it went (masked), never the code; who asked is on record.
   */
  async issueCode(ctx: CallContext, citizenId: string) {
    const person = await this.access.authoriseOperatorOn(ctx, citizenId, 'citizen.sign_in_code', { erasedToo: true });
    const contact = await this.messages.contacts.of(person.id, person.segment_id);
    const address = contact?.verifiedAt ? codeAddressOf(contact) : undefined;
    if (!address) {
      throw new AppError('citizen.no_contact', 'the citizen has no verified contact to send a code to');
    }
    const code = signInCode();
    const now = this.clock.now();
    const expiresAt = this.minutesFrom(now, this.settings.signInCodeMinutes);
    const sentTo = maskContactAddress(address);
    await this.transactions.transaction(async (tx) => {
      await this.repos.sessions.insertCode(tx, {
        code_hash: codeHash(code),
        person_id: citizenId,
        issued_by: ctx.principal.id,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      });
      await this.audit.record(tx, ctx, {
        action: 'citizen.sign_in_code',
        result: 'sent',
        segmentId: person.segment_id,
        personId: citizenId,
        detail: { expiresAt, channel: address.channel, sentTo, requestedBy: ctx.principal.id },
      });
    });
    await this.deliver({ ...address, text: codeMessage('operator', code, this.settings.signInCodeMinutes) });
    return { channel: address.channel, sentTo, expiresAt };
  }

  /**
   * Sign-in with a code an operator had sent: one factor, so the session needs a step-up before grants. Guesses
   * are throttled per source (never per person, so no one can lock the citizen out) and recorded in the
   * citizen's history; an unknown id answers and counts the same.
   */
  async withCode(requestId: string, source: string, citizenId: string, code: string) {
    await this.throttle.take({ kind: 'code', source });
    const person = await this.repos.persons.findOpen(citizenId);
    if (!person) throw signInFailed();
    const ctx = citizenContext(citizenId, requestId);
    const fact = { action: 'citizen.sign_in' as const, segmentId: person.segment_id, personId: citizenId };
    const session = await this.transactions.transaction(async (tx) => {
      const used = await this.repos.sessions.useCode(tx, codeHash(code), citizenId, isoNow(this.clock));
      if (!used) return undefined;
      await this.audit.record(tx, ctx, { ...fact, result: 'match', detail: { method: 'code' } });
      return this.sessions.open(tx, citizenId, 'code');
    });
    if (session) return session;
    await this.audit.recordAlone(ctx, { ...fact, result: 'no_match', detail: { factor: 'code' } });
    throw signInFailed();
  }

  private async openChallenge(signInToken: string): Promise<{ person: PersonRow; contact: Contact | undefined }> {
    const challenge = await this.repos.sessions.findOpenChallenge(secretHash(signInToken), isoNow(this.clock));
    const person = challenge && (await this.repos.persons.findOpen(challenge.person_id));
    if (!person) throw signInFailed();
    return { person, contact: await this.messages.contacts.of(person.id, person.segment_id) };
  }

  private async deliver(message: Parameters<MessageDelivery['send']>[0]): Promise<void> {
    await this.messages.delivery.send(message).catch((e: unknown) => {
      throw new AppError('message.undelivered', 'the code could not be sent; try again later', undefined, { cause: e });
    });
  }

  private minutesFrom(now: Date, minutes: number): string {
    return new Date(now.getTime() + minutes * 60_000).toISOString();
  }
}

function throttled(): AppError {
  return new AppError('citizen.sign_in_throttled', 'enough codes were sent for this sign-in: start again later');
}
