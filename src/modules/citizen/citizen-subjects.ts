import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { mayActFor, type Actor, type AgeRules } from '../consent/consent-policy.js';
import type { PersonRow, Repositories } from '../../repositories.js';
import type { CitizenSession } from './citizen-sessions.service.js';

/** Whose data a citizen call acts on, and in what capacity. */
export interface Subject {
  readonly person: PersonRow;
  readonly actor: Extract<Actor, 'self' | 'guardian'>;
  readonly rules: AgeRules;
}

/**
 * Citizens see and act only on their own data, or on a minor's whose guardian they are (until the minor
 * reaches the segment's age of consent). Anything else is refused the same way as an unknown id.
 */
export class CitizenSubjects {
  constructor(
    private readonly repos: Pick<Repositories, 'persons' | 'segments' | 'consent'>,
    private readonly clock: Clock,
  ) {}

  async resolve(session: CitizenSession, personId?: string): Promise<Subject> {
    const id = personId ?? session.personId;
    const person = await this.repos.persons.findOpen(id);
    if (!person) throw notAllowed(id);
    const rules = (await this.repos.segments.rulesOf(person.segment_id))!;
    if (id === session.personId) return { person, actor: 'self', rules };
    const guardian = await this.repos.consent.isGuardian(id, session.personId);
    if (!guardian || !mayActFor('guardian', { birthDate: person.birth_date, rules }, isoNow(this.clock))) {
      throw notAllowed(id);
    }
    return { person, actor: 'guardian', rules };
  }
}

function notAllowed(personId: string): AppError {
  return new AppError('citizen.not_allowed', 'you may act only on your own data or on that of a minor in your care', {
    personId,
  });
}
