import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';
import type { SegmentRewrap } from '../keys/keys.service.js';
import { PersonKeys } from './person-keys.js';
import { SegmentTransforms } from './segment-transforms.js';

/** What a data-key rotation must re-wrap for a segment: its people's keys and its transform seeds. */
export function segmentRewrap(db: Kysely<Database>, dataKeys: DataKeys, clock: Clock): SegmentRewrap {
  const personKeys = new PersonKeys(db, dataKeys, clock);
  const transforms = new SegmentTransforms(db, dataKeys, clock);
  return async (segmentId) => (await personKeys.rewrapSegment(segmentId)) + (await transforms.rewrapSegment(segmentId));
}
