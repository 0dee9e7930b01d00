import { z } from 'zod';
import { Id, ImageField, SegmentId } from '../../http/schemas.js';
import { EventId } from '../venues/venues.schemas.js';

export const NewSchool = z.object({ name: z.string().min(1).max(200), segment: SegmentId });
export const SchoolParams = z.object({ id: Id });

export const NewPupil = z.object({
  personId: Id.describe("the pupil, by this party's pseudonym; their guardian must have granted it school_meals"),
  dailyAllowance: z.number().int().min(0).max(10_000_000).describe('per UTC day, in minor currency units'),
});

export const MealAttempt = z.object({
  eventId: EventId,
  image: ImageField.describe('the face at the till'),
  amount: z.number().int().min(0).max(10_000_000).describe('the meal’s price in minor currency units'),
});

export const Meal = z
  .object({
    eventId: z.string(),
    decision: z.enum(['serve', 'refuse']),
    reason: z
      .enum(['not_recognised', 'allowance_exhausted'])
      .optional()
      .describe('not_recognised: not one of this school’s pupils; allowance_exhausted: the day’s allowance'),
    pupilId: z.string().optional(),
    remainingAllowance: z.number().int().optional().describe('what is left of the day’s allowance'),
  })
  .meta({ id: 'SchoolMeal' });

export const SummaryQuery = z.object({
  date: z.iso.date().optional().describe('a UTC date (default today)'),
});

export const MealSummary = z.object({
  date: z.string(),
  served: z.number().int(),
  refused: z.number().int(),
  pupilsServed: z.number().int(),
  totalAmount: z.number().int(),
});

export const CitizenMealsQuery = z.object({
  personId: Id.optional().describe('a minor in your care (default: yourself)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const CitizenMeals = z.object({
  items: z.array(
    z.object({
      schoolId: z.string(),
      schoolName: z.string(),
      eventId: z.string(),
      amount: z.number().int(),
      day: z.string(),
      at: z.string(),
    }),
  ),
});
