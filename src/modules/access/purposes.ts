/**
 * The purposes a relying party may use a face for, and a person may consent to. A closed list: a typo in a
 * consent or a relying party's registration is refused rather than silently never matching.
 */
export const PURPOSES = [
  'transit_fare',
  'parking',
  'venue_access',
  'second_factor',
  'school_meals',
  'telecom_contract',
  'wifi_access',
] as const;

export type Purpose = (typeof PURPOSES)[number];

export const RIGHTS = ['enrol', 'verify', 'identify'] as const;
export type Right = (typeof RIGHTS)[number];

export const ROLES = ['admin', 'operator', 'relying_party'] as const;
export type Role = (typeof ROLES)[number];
