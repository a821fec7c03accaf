/**
 * The run inputs `account` and `risk` (docs/CONVENTIONS.md, "Account and buying power", "Risk
 * limits"), shared by the run mutations; descriptions come from the ranges the validator checks.
 */
import { ACCOUNT_TYPES } from '../engine/account.js';
import { ACCOUNT_INPUT_DOCS, RISK_INPUT_DOCS } from '../jobs/account-risk-input.js';
import { builder } from './builder.js';

export const AccountTypeEnum = builder.enumType('AccountType', {
  values: ACCOUNT_TYPES,
  description: 'CASH: no short sales, no negative cash. MARGIN: gross exposure up to leverage × equity.',
});

export const AccountInputRef = builder.inputType('AccountInput', {
  description: 'The account a run trades in; orders that would break its buying power are REJECTED (at submission) or reduced at the fill.',
  fields: (t) => ({
    type: t.field({ type: AccountTypeEnum, defaultValue: 'MARGIN', description: ACCOUNT_INPUT_DOCS.type }),
    leverage: t.float({ defaultValue: 1, description: ACCOUNT_INPUT_DOCS.leverage }),
  }),
});

export const RiskLimitsInputRef = builder.inputType('RiskLimitsInput', {
  description: 'Limits checked before an order reaches the broker (orders that only reduce a position always pass); each is optional. A rejection names the limit.',
  fields: (t) => ({
    maxPositionPct: t.float({ description: RISK_INPUT_DOCS.maxPositionPct }),
    maxGrossExposurePct: t.float({ description: RISK_INPUT_DOCS.maxGrossExposurePct }),
    maxOrderNotional: t.float({ description: RISK_INPUT_DOCS.maxOrderNotional }),
    maxDrawdownPct: t.float({ description: RISK_INPUT_DOCS.maxDrawdownPct }),
  }),
});

export const ACCOUNT_INPUT_DOC = 'Default: MARGIN with leverage 1 (gross exposure may not exceed equity).';
export const RISK_INPUT_DOC = 'Default: no limits.';
