import { z } from 'zod';
import { Id, ImageField, Purpose, SegmentId } from '../../http/schemas.js';
import { parseContactAddress } from '../notifications/contact-address.js';

export const Channel = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,31}$/)
  .describe('where the face was captured, e.g. city_app, bank_branch, telecom_office, kiosk');

export const Enrolled = z
  .object({
    personId: z.string(),
    templateId: z.string(),
    quality: z.object({ score: z.number(), measures: z.record(z.string(), z.number()) }),
    liveness: z.object({ score: z.number(), threshold: z.number() }),
    receipt: z
      .object({
        citizenId: z.string(),
        segment: z.string(),
        enrolledAt: z.string(),
        enrolledBy: z.string(),
        consents: z.array(z.string()),
        activationContact: z
          .string()
          .nullable()
          .describe('the contact the first sign-in code goes to, masked (null: none given, so no self sign-in yet)'),
      })
      .optional()
      .describe(
        "the citizen's enrolment slip: hand it to the citizen (print or show it) and do not keep it; it holds no " +
          'secret: signing in takes their face and a code sent to their contact. Never used by relying parties',
      ),
  })
  .describe('personId is the enrolling party’s pseudonym for the person (pairwise: other parties see another id)')
  .meta({ id: 'Enrolment' });

export const BirthDate = z.iso.date().describe('YYYY-MM-DD; the segment’s rules for minors apply while under age');

export const NewEnrolmentBody = z.object({
  segment: SegmentId,
  channel: Channel,
  image: ImageField,
  consents: z
    .array(Purpose)
    .max(32)
    .default([])
    .describe('purposes the person agreed to for the enrolling party (a minor’s consent comes from a guardian)'),
  birthDate: BirthDate.optional(),
  contact: z
    .string()
    .max(320)
    .refine((v) => parseContactAddress(v) !== undefined, 'an email address, or a phone number as +<country><number>')
    .optional()
    .describe(
      "the citizen's own phone or email, as they give it at the desk: their first sign-in code goes there " +
        '(never to the enrolling party), and signing in verifies it',
    ),
  adjudicationId: Id.optional().describe(
    'after a refused duplicate that the operator resolved as different people: enrol the face anyway',
  ),
});

export const PersonParams = z.object({ personId: Id });

export const NewTemplateBody = z.object({ image: ImageField, channel: Channel.default('re_enrolment') });
