import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import { idempotentCall, type CallContext, type CitizenSession, type RegistryServices } from '../registry.js';
import { newPlace, ownPlace } from '../relying-party.js';
import { dayOf, mealFits } from './school-day.js';
import type { MealRow, SchoolsRepository } from './schools.repository.js';

/** The purpose every school's party is registered for and every pupil's guardian grants it. */
export const SCHOOL_PURPOSE = 'school_meals';

export interface Meal {
  readonly eventId: string;
  readonly decision: 'serve' | 'refuse';
  readonly reason?: 'not_recognised' | 'allowance_exhausted';
  readonly pupilId?: string;
  readonly remainingAllowance?: number;
}

/**
 * School meals (issue 12): a party's schools, their pupils (minors whose guardian granted the party
 * `school_meals` through the citizen API) with a daily allowance, and each face at the canteen, identified by
 * the registry among that school's pupils only. The meal row commits with the registry's audit record of the
 * identification; the till's `eventId` makes a retry answer the same. The school sees counts, never faces;
 * the guardian sees each meal.
 */
export class SchoolsService {
  constructor(
    private readonly registry: Pick<RegistryServices, 'matching' | 'citizenNames'>,
    private readonly schools: SchoolsRepository,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async create(ctx: CallContext, input: { name: string; segment: string }): Promise<{ id: string }> {
    const place = newPlace(ctx, SCHOOL_PURPOSE, input, this.ids.next('sch'), isoNow(this.clock));
    await this.schools.insertSchool(place);
    return { id: place.id };
  }

  /** A pupil: the guardian's grant of `school_meals` to this party is required (`consent.missing`). */
  async addPupil(ctx: CallContext, schoolId: string, input: { personId: string; dailyAllowance: number }) {
    await this.own(ctx, schoolId);
    await this.registry.matching.admitMember(ctx, input.personId, SCHOOL_PURPOSE);
    const id = this.ids.next('pup');
    await this.schools.insertPupil({
      id,
      school_id: schoolId,
      person_ref: input.personId,
      daily_allowance: input.dailyAllowance,
      created_at: isoNow(this.clock),
    });
    return { id };
  }

  /** A face at the canteen: served within the day's allowance, else refused. */
  async serve(ctx: CallContext, schoolId: string, input: { eventId: string; image: Uint8Array; amount: number }) {
    const school = await this.own(ctx, schoolId);
    const { eventId, amount } = input;
    const call = idempotentCall(ctx, `school-meal:${schoolId}:${eventId}`, { schoolId, eventId, amount });
    const group = await this.schools.pupilRefs(schoolId);
    const request = { image: input.image, purpose: SCHOOL_PURPOSE, segment: school.segment_id, group, limit: 1 };
    return this.registry.matching.identify(call, request, async (tx, found): Promise<Meal> => {
      const at = isoNow(this.clock);
      const day = dayOf(at);
      const personRef = found.candidates[0]?.personId;
      const pupil = personRef === undefined ? undefined : await this.schools.lockPupil(tx, schoolId, personRef);
      const meal: MealRow = {
        ...{ school_id: schoolId, event_id: eventId, pupil_id: pupil?.id ?? null, amount, day, at },
        ...{ decision: 'refuse', reason: 'not_recognised' },
      };
      if (!pupil) {
        await this.schools.insertMeal(tx, meal);
        return { eventId, decision: 'refuse', reason: 'not_recognised' };
      }
      const spent = await this.schools.spentOn(tx, pupil.id, day);
      const { fits, remaining } = mealFits(Number(pupil.daily_allowance), spent, amount);
      await this.schools.insertMeal(tx, {
        ...meal,
        decision: fits ? 'serve' : 'refuse',
        reason: fits ? null : 'allowance_exhausted',
      });
      const outcome = fits
        ? { decision: 'serve' as const }
        : { decision: 'refuse' as const, reason: 'allowance_exhausted' as const };
      return { eventId, ...outcome, pupilId: pupil.id, remainingAllowance: remaining };
    });
  }

  /** A day's counts and totals at the school (default today, UTC). */
  async summary(ctx: CallContext, schoolId: string, date?: string) {
    await this.own(ctx, schoolId);
    const day = date ?? dayOf(isoNow(this.clock));
    const rows = await this.schools.summary(schoolId, day);
    const served = rows.find((r) => r.decision === 'serve');
    const refused = rows.find((r) => r.decision === 'refuse');
    return {
      date: day,
      served: served?.meals ?? 0,
      refused: refused?.meals ?? 0,
      pupilsServed: served?.pupils ?? 0,
      totalAmount: served?.amount ?? 0,
    };
  }

  /** The meals served to the signed-in citizen, or to a minor in their care (`personId`). */
  async mealsOf(session: CitizenSession, personId: string | undefined, limit: number) {
    const names = await this.registry.citizenNames.of(session, personId);
    const rows = await this.schools.servedTo(names, limit);
    return { items: rows.map((r) => ({ ...r, amount: Number(r.amount) })) };
  }

  /** The party's own school; another party's is as unknown as one that does not exist. */
  private async own(ctx: CallContext, schoolId: string) {
    return ownPlace(
      ctx,
      SCHOOL_PURPOSE,
      await this.schools.school(schoolId),
      () => new AppError('school.not_found', `no school ${schoolId}`, { schoolId }),
    );
  }
}
