import { z } from 'zod';
import { Id, Purpose, SegmentId } from '../../http/schemas.js';

export const Segment = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: 'Segment' });

export const SegmentList = z.object({ segments: z.array(Segment) });

export const NewSegment = z.object({ id: SegmentId, name: z.string().min(1).max(200) });

export const SegmentParams = z.object({ id: SegmentId });

export const KeyStatus = z.object({
  segment: z.string(),
  version: z.number().int(),
  state: z.enum(['active', 'retired']),
  masterKeyId: z.string(),
  createdAt: z.string(),
  templates: z.number().int(),
});

export const KeyStatusList = z.object({ keys: z.array(KeyStatus) });

export const KeyRotation = z.object({ segment: z.string(), version: z.number().int() });

export const AgeRules = z
  .object({
    segment: z.string(),
    ageOfConsent: z.number().int(),
    minorPurposes: z.array(z.string()).describe('the only purposes a minor may be used for (a guardian grants them)'),
  })
  .meta({ id: 'AgeRules' });

export const NewAgeRules = z.object({
  ageOfConsent: z.number().int().min(0).max(25),
  minorPurposes: z.array(Purpose).max(64),
});

export const RekeyRequest = z.object({ relyingPartyId: Id.optional() }).nullish();

export const Rekeyed = z.object({
  segment: z.string(),
  transformVersion: z.number().int(),
  templatesMoved: z.number().int(),
  destroyedVersions: z.array(z.number().int()),
  views: z.array(
    z.object({
      relyingPartyId: z.string().nullable(),
      transformVersion: z.number().int(),
      templatesMoved: z.number().int(),
      destroyedVersions: z.array(z.number().int()),
    }),
  ),
});
