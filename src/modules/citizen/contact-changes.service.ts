import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { Repositories } from '../../repositories.js';
import type { AuditService } from '../audit/audit.service.js';
import { maskContactAddress } from '../notifications/contact-address.js';
import { codeAddressOf, type Contact, type ContactBook } from '../notifications/contact-book.js';
import type { MessageDelivery } from '../notifications/message-delivery.js';
import { citizenContext } from './citizen-principal.js';
import type { CitizenSessionsRepository } from './citizen-sessions.repository.js';
import { requireTwoFactors, type CitizenSession } from './citizen-sessions.service.js';
import { challengeToken, codeHash, codeMessage, secondFactorCode, secretHash } from './one-time-codes.js';
import type { SignInThrottle } from './sign-in-throttle.js';

const MAX_WRONG_CODES = 3;

/**
 * Changing where a citizen's codes and notices go. It takes a two-factor session, and the new contact holds
 * only once a code sent to it comes back, so whoever holds a session cannot redirect the citizen's codes to
 * an address they do not control without it showing: the old contact is told of the change.
 */
export class ContactChanges {
  constructor(
    private readonly repos: { sessions: CitizenSessionsRepository; persons: Repositories['persons'] },
    private readonly transactions: Transactor,
    private readonly messages: { readonly contacts: ContactBook; readonly delivery: MessageDelivery },
    private readonly throttle: SignInThrottle,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: { readonly secondFactorMinutes: number },
  ) {}

  /** Sends a confirmation code to the new contact; nothing changes until it is confirmed. */
  async request(session: CitizenSession, requestId: string, contact: Contact) {
    requireTwoFactors(session);
    const person = await this.person(session);
    const address = codeAddressOf(contact);
    if (!address) throw new AppError('request.invalid', 'give an email address or a phone number');
    const token = challengeToken();
    const code = secondFactorCode();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.secondFactorMinutes * 60_000).toISOString();
    const sealed = await this.messages.contacts.sealed(person.id, person.segment_id, {
      ...(contact.email ? { email: contact.email } : {}),
      ...(contact.phone ? { phone: contact.phone } : {}),
    });
    const sentTo = maskContactAddress(address);
    await this.transactions.transaction(async (tx) => {
      await this.repos.sessions.insertChallenge(tx, {
        token_hash: secretHash(token),
        person_id: person.id,
        purpose: 'contact',
        code_hash: codeHash(code),
        code_expires_at: expiresAt,
        codes_sent: 1,
        failures: 0,
        sealed_contact: `${sealed.key_version}:${sealed.sealed_contact.toString('base64')}`,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      });
      await this.audit.record(tx, citizenContext(session.personId, requestId), {
        action: 'contact.change',
        result: 'requested',
        segmentId: person.segment_id,
        personId: person.id,
        detail: { channel: address.channel, sentTo },
      });
    });
    await this.messages.delivery.send({
      ...address,
      text: codeMessage('contact', code, this.settings.secondFactorMinutes),
    });
    return { confirmationToken: token, channel: address.channel, sentTo, expiresAt };
  }

  /** Confirms the new contact with the code sent to it; the old contact (if any) is told. */
  async confirm(session: CitizenSession, requestId: string, source: string, token: string, code: string) {
    requireTwoFactors(session);
    await this.throttle.take({ kind: 'code', source });
    const person = await this.person(session);
    const ctx = citizenContext(session.personId, requestId);
    const challenge = await this.repos.sessions.findOpenChallenge(secretHash(token), isoNow(this.clock));
    if (
      !challenge ||
      challenge.person_id !== person.id ||
      challenge.purpose !== 'contact' ||
      !challenge.sealed_contact
    ) {
      throw wrongCode();
    }
    const [version, sealed] = challenge.sealed_contact.split(':');
    const pending = { person_id: person.id, key_version: Number(version), updated_at: isoNow(this.clock) };
    const row = { ...pending, sealed_contact: Buffer.from(sealed!, 'base64') };
    const contact = await this.messages.contacts.opened(row, person.segment_id);
    const verified = await this.messages.contacts.sealed(person.id, person.segment_id, {
      ...contact,
      verifiedAt: isoNow(this.clock),
    });
    const old = codeAddressOf(await this.messages.contacts.of(person.id, person.segment_id));
    const fact = { action: 'contact.change' as const, segmentId: person.segment_id, personId: person.id };
    const changed = await this.transactions.transaction(async (tx) => {
      const at = isoNow(this.clock);
      if (!(await this.repos.sessions.useChallenge(tx, secretHash(token), codeHash(code), at, MAX_WRONG_CODES))) {
        return false;
      }
      await this.messages.contacts.store(verified, tx);
      await this.audit.record(tx, ctx, { ...fact, result: 'changed' });
      return true;
    });
    if (!changed) {
      await this.repos.sessions.countChallengeFailure(secretHash(token));
      await this.audit.recordAlone(ctx, { ...fact, result: 'no_match', detail: { factor: 'code' } });
      throw wrongCode();
    }
    if (old) {
      const text = 'Your Oblik contact was changed. If you did not change it, contact the registry at once.';
      await this.messages.delivery.send({ ...old, text }).catch(() => undefined);
    }
    return { contact: { email: contact.email, phone: contact.phone } };
  }

  private async person(session: CitizenSession) {
    const person = await this.repos.persons.findOpen(session.personId);
    if (!person) throw new AppError('citizen.session_invalid', 'sign in first');
    return person;
  }
}

function wrongCode(): AppError {
  return new AppError('citizen.sign_in_failed', 'the code does not match this contact change');
}
