/** The telecom service's settings (from src/config: OBLIK_TELECOM_*, OBLIK_PORTING_*). */
export interface TelecomSettings {
  /** Active contracts one subscriber may hold across all operators (`telecom.contract_limit`). */
  readonly maxContracts: number;
  /** The least time between a port request and its switch, in which the donor may object. */
  readonly portingNoticeMinutes: number;
}

/** The purpose every operator is registered for and every subscriber consents to. */
export const TELECOM_PURPOSE = 'telecom_contract';
