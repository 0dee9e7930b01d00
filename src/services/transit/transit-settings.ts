/** The purpose every transit operator is registered for and every rider consents to (allowed for minors). */
export const TRANSIT_PURPOSE = 'transit_fare';

/** The transit service's settings (from src/config: OBLIK_GATE_MARGIN). */
export interface GateSettings {
  /** The least lead of the best candidate over anyone else before a gate acts on it (else `ambiguous`). */
  readonly margin: number;
}
