/** The account a run trades in (docs/CONVENTIONS.md, "Account and buying power"). */
export const ACCOUNT_TYPES = ['CASH', 'MARGIN'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface AccountSettings {
  readonly type: AccountType;
  /**
   * MARGIN: gross exposure may reach leverage × equity (1 = no borrowing beyond equity). CASH: must be 1.
   * The engine also takes Infinity (MARGIN only): no buying-power check at all, the pre-account
   * behaviour; the run input caps leverage at MAX_LEVERAGE.
   */
  readonly leverage: number;
}

export const DEFAULT_ACCOUNT: AccountSettings = { type: 'MARGIN', leverage: 1 };
/** The largest leverage a run input may ask for. */
export const MAX_LEVERAGE = 100;

/** Why these settings are unusable, or null. */
export function accountProblem(a: AccountSettings): string | null {
  if (!ACCOUNT_TYPES.includes(a.type)) return `account.type must be CASH or MARGIN, got ${String(a.type)}`;
  if (a.type === 'CASH' && a.leverage !== 1) return `account.leverage: a CASH account has no leverage (must be 1), got ${a.leverage}`;
  if (!(a.leverage >= 1)) return `account.leverage must be >= 1, got ${a.leverage}`;
  return null;
}
