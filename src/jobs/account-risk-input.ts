/**
 * The run input's `account` and `risk` (docs/CONVENTIONS.md, "Account and buying power", "Risk
 * limits"): ranges, the sentences that document them in the schema, and the validation shared by the
 * GraphQL mutations and the CLI. Every message starts with the field path.
 */
import { ACCOUNT_TYPES, DEFAULT_ACCOUNT, MAX_LEVERAGE, type AccountSettings, type AccountType } from '../engine/account.js';
import { brief } from '../engine/brief.js';
import type { RiskLimits } from '../engine/risk-limits.js';
import { checkRange, describeRange, type NumberRange } from './number-range.js';

export const ACCOUNT_RANGES = {
  leverage: { min: 1, max: MAX_LEVERAGE },
} as const satisfies Record<string, NumberRange>;

export const RISK_RANGES = {
  maxPositionPct: { min: 0, minExclusive: true, max: 10_000 },
  maxGrossExposurePct: { min: 0, minExclusive: true, max: 10_000 },
  maxOrderNotional: { min: 0, minExclusive: true, max: 1e12 },
  maxDrawdownPct: { min: 0, minExclusive: true, max: 100 },
} as const satisfies Record<keyof RiskLimits, NumberRange>;

export const ACCOUNT_INPUT_DOCS = {
  type: 'CASH: no short sales and no negative cash; MARGIN (default): gross exposure up to leverage × equity.',
  leverage: `MARGIN only (a CASH account must leave it at 1): ${describeRange(ACCOUNT_RANGES.leverage)}; default 1.`,
} as const;

export const RISK_INPUT_DOCS = {
  maxPositionPct: `Largest position in one symbol after an order, percent of equity: ${describeRange(RISK_RANGES.maxPositionPct)}.`,
  maxGrossExposurePct: `Largest gross exposure (sum of |position| × price) after an order, percent of equity: ${describeRange(RISK_RANGES.maxGrossExposurePct)}.`,
  maxOrderNotional: `Largest quantity × price of one order, currency: ${describeRange(RISK_RANGES.maxOrderNotional)}.`,
  maxDrawdownPct: `Drawdown from the equity peak, percent, at which every position is closed and trading stops: ${describeRange(RISK_RANGES.maxDrawdownPct)}.`,
} as const;

export interface AccountInput {
  readonly type?: string | null;
  readonly leverage?: number | null;
}
export type RiskInput = { readonly [K in keyof RiskLimits]?: number | null };

type Fail = (field: string, message: string) => void;

/** The account to trade in (default MARGIN, leverage 1); problems are reported on `account.<field>`. */
export function validateAccountInput(input: AccountInput | null | undefined, fail: Fail): AccountSettings {
  if (input == null) return DEFAULT_ACCOUNT;
  const type = input.type ?? DEFAULT_ACCOUNT.type;
  if (!ACCOUNT_TYPES.includes(type as AccountType)) fail('account.type', `must be one of ${ACCOUNT_TYPES.join(', ')}, got ${brief(type, 20)}`);
  const leverage = input.leverage ?? 1;
  const problem = checkRange(leverage, ACCOUNT_RANGES.leverage);
  if (problem !== null) fail('account.leverage', problem);
  else if (type === 'CASH' && leverage !== 1) fail('account.leverage', `a CASH account has no leverage: must be 1, got ${leverage}`);
  return { type: type as AccountType, leverage };
}

/** The risk limits that are set (absent or null: no limit); problems are reported on `risk.<field>`. */
export function validateRiskInput(input: RiskInput | null | undefined, fail: Fail): RiskLimits {
  if (input == null) return {};
  const out: Record<string, number> = {};
  for (const name of Object.keys(RISK_RANGES) as (keyof RiskLimits)[]) {
    const value = input[name];
    if (value == null) continue;
    const problem = checkRange(value, RISK_RANGES[name]);
    if (problem !== null) fail(`risk.${name}`, problem);
    else out[name] = value;
  }
  return out;
}
