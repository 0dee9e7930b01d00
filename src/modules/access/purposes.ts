/**
 * Purposes are short slugs naming why a face is used; a relying party is registered for some, and a person
 * consents to some. Any well-formed slug is accepted, so a new service needs no code change; these are the
 * well-known ones, listed in the API documentation.
 */
export const PURPOSE_PATTERN = /^[a-z][a-z0-9_]{1,47}$/;

export const WELL_KNOWN_PURPOSES = [
  'transit_fare',
  'parking',
  'venue_access',
  'second_factor',
  'school_meals',
  'telecom_contract',
  'wifi_access',
] as const;

export type Purpose = string;

export const RIGHTS = ['enrol', 'verify', 'identify', 'transfer'] as const;
export type Right = (typeof RIGHTS)[number];

export const ROLES = ['admin', 'operator', 'relying_party', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
