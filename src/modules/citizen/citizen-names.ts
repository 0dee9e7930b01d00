import type { Repositories } from '../../repositories.js';
import type { CitizenSession } from './citizen-sessions.service.js';
import type { CitizenSubjects } from './citizen-subjects.js';

/**
 * How relying parties name a citizen (their pseudonyms), for the views a relying-party application shows the
 * citizen about themself or a minor in their care (a guardian's view of school meals). Who may look is the
 * citizen rule of {@link CitizenSubjects}: anyone else is `citizen.not_allowed`.
 */
export class CitizenNames {
  constructor(
    private readonly repos: Pick<Repositories, 'pseudonyms'>,
    private readonly subjects: CitizenSubjects,
  ) {}

  async of(session: CitizenSession, personId?: string): Promise<{ relyingPartyId: string; pseudonym: string }[]> {
    const subject = await this.subjects.resolve(session, personId);
    return this.repos.pseudonyms.namesOf(subject.person.id);
  }
}
