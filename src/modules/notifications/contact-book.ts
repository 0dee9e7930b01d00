import type { Tx } from '../../db/executor.js';
import { open, seal } from '../keys/sealing.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';
import type { ContactsRepository } from './contacts.repository.js';

export interface Contact {
  readonly email?: string;
  readonly phone?: string;
}

/**
 * Citizens' contact details for notices, sealed under their segment's data key (not the person's template
 * key: a citizen who erased their biometrics must still hear about an incident that touched them).
 */
export class ContactBook {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly keys: DataKeys,
    private readonly clock: Clock,
  ) {}

  async set(personId: string, segmentId: string, contact: Contact): Promise<void> {
    const { version, key } = await this.keys.active(segmentId);
    const sealed = seal(key, Buffer.from(JSON.stringify(contact)), binding(personId, segmentId, version));
    const row = { person_id: personId, key_version: version, sealed_contact: sealed, updated_at: isoNow(this.clock) };
    await this.contacts.upsert(row);
  }

  async of(personId: string, segmentId: string): Promise<Contact | undefined> {
    const row = await this.contacts.find(personId);
    if (!row) return undefined;
    const key = await this.keys.version(segmentId, row.key_version);
    return JSON.parse(
      open(key, row.sealed_contact, binding(personId, segmentId, row.key_version)).toString(),
    ) as Contact;
  }

  forget(tx: Tx, personId: string): Promise<void> {
    return this.contacts.deleteOf(tx, personId);
  }
}

function binding(personId: string, segmentId: string, version: number): string {
  return `oblik/contact/v1|${personId}|${segmentId}|${version}`;
}
