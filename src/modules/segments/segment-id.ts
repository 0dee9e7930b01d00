/** Segment ids are short lowercase slugs (`federal`, `moscow`, `nizhny-novgorod`): they appear in URLs and keys. */
export const SEGMENT_ID = /^[a-z][a-z0-9-]{1,62}$/;

/** The segment that always exists: the federal one. */
export const FEDERAL_SEGMENT = { id: 'federal', name: 'Federal segment' } as const;
