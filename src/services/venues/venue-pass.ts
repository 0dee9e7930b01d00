/** A venue pass as its rules see it (pure: no I/O). Instants are ISO-8601 UTC strings. */
export interface Pass {
  readonly kind: 'staff' | 'visitor';
  readonly validFrom: string | null;
  readonly validTo: string | null;
  /** NULL: unlimited. */
  readonly uses: number | null;
  readonly usesSpent: number;
  readonly revokedAt: string | null;
}

/** Whether the pass opens the door at `now`: not revoked, inside its window, with a use left. */
export function passOpens(pass: Pass, now: string): boolean {
  if (pass.revokedAt !== null) return false;
  if (pass.validFrom !== null && now < pass.validFrom) return false;
  if (pass.validTo !== null && now >= pass.validTo) return false;
  return pass.uses === null || pass.usesSpent < pass.uses;
}

/**
 * What a new pass must carry: a visitor's pass has a window's end and a number of uses (a visit is bounded);
 * any window must end after it starts. Returns the fault, or undefined when the pass is well-formed.
 */
export function passFault(pass: Omit<Pass, 'usesSpent' | 'revokedAt'>): string | undefined {
  if (pass.validFrom !== null && pass.validTo !== null && pass.validTo <= pass.validFrom) {
    return 'validTo must be after validFrom';
  }
  if (pass.kind === 'visitor' && (pass.validTo === null || pass.uses === null)) {
    return 'a visitor pass needs validTo and uses';
  }
  return undefined;
}
