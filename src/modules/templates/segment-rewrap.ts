import type { SegmentRewrap } from '../keys/keys.service.js';
import type { PersonKeys } from './person-keys.js';
import type { SegmentTransforms } from './segment-transforms.js';

/** What a data-key rotation must re-wrap for a segment: its people's keys and its transform seeds. */
export function segmentRewrap(personKeys: PersonKeys, transforms: SegmentTransforms): SegmentRewrap {
  return async (segmentId) => (await personKeys.rewrapSegment(segmentId)) + (await transforms.rewrapSegment(segmentId));
}
