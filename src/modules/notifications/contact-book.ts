import type { Tx } from '../../db/executor.js';
import { open, seal } from '../keys/sealing.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';
import type { ContactAddress } from './contact-address.js';
import type { ContactRow, ContactsRepository } from './contacts.repository.js';

export interface Contact {
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  /**
   * When the citizen proved they receive messages there (a one-time code sent to it came back). Unset for a
   * contact given at enrolment until the first activation.
   */
  readonly verifiedAt?: string | undefined;
}

/** Where one-time codes go: the phone when there is one (a text reaches a person sooner), else the email. */
export function codeAddressOf(contact: Contact | undefined): ContactAddress | undefined {
  if (contact?.phone) return { channel: 'sms', to: contact.phone };
  if (contact?.email) return { channel: 'email', to: contact.email };
  return undefined;
}

/**
 * Citizens' contact details for notices and one-time codes, sealed under their segment's data key (not the
 * person's template key: a citizen who erased their biometrics must still hear about an incident that touched
 * them, and still sign in).
 */
export class ContactBook {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly keys: DataKeys,
    private readonly clock: Clock,
  ) {}

  async set(personId: string, segmentId: string, contact: Contact, tx?: Tx): Promise<void> {
    await this.contacts.upsert(await this.sealed(personId, segmentId, contact), tx);
  }

  /** The sealed row for a contact, made before a transaction that stores it (sealing reads the data key). */
  async sealed(personId: string, segmentId: string, contact: Contact): Promise<ContactRow> {
    const { version, key } = await this.keys.active(segmentId);
    const sealed = seal(key, Buffer.from(JSON.stringify(contact)), binding(personId, segmentId, version));
    return { person_id: personId, key_version: version, sealed_contact: sealed, updated_at: isoNow(this.clock) };
  }

  /** Stores a row made by {@link ContactBook.sealed}, in the caller's transaction. */
  store(row: ContactRow, tx: Tx): Promise<void> {
    return this.contacts.upsert(row, tx);
  }

  async of(personId: string, segmentId: string): Promise<Contact | undefined> {
    const row = await this.contacts.find(personId);
    return row ? this.opened(row, segmentId) : undefined;
  }

  /** Opens a sealed row (also one kept elsewhere, such as a contact change waiting for its code). */
  async opened(row: ContactRow, segmentId: string): Promise<Contact> {
    const key = await this.keys.version(segmentId, row.key_version);
    return JSON.parse(
      open(key, row.sealed_contact, binding(row.person_id, segmentId, row.key_version)).toString(),
    ) as Contact;
  }

  forget(tx: Tx, personId: string): Promise<void> {
    return this.contacts.deleteOf(tx, personId);
  }
}

function binding(personId: string, segmentId: string, version: number): string {
  return `oblik/contact/v1|${personId}|${segmentId}|${version}`;
}
