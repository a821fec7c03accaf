/**
 * `backtest run` flags for the account and the risk limits (docs/CONVENTIONS.md, "Account and
 * buying power", "Risk limits"). Ranges are checked by the shared run validation, which names the flag.
 */
import { Option, type Command } from 'commander';
import { ACCOUNT_TYPES, type AccountType } from '../engine/account.js';
import { ACCOUNT_INPUT_DOCS, RISK_INPUT_DOCS, type AccountInput, type RiskInput } from '../jobs/account-risk-input.js';
import { choiceFlag, numberFlag } from './flag-parsers.js';

export interface AccountRiskFlags {
  readonly account?: AccountType;
  readonly leverage?: number;
  readonly maxPositionPct?: number;
  readonly maxGrossExposurePct?: number;
  readonly maxOrderNotional?: number;
  readonly maxDrawdownPct?: number;
}

/** Validation field -> flag, for error messages. */
export const ACCOUNT_RISK_FLAG_OF: Readonly<Record<string, string>> = {
  'account.type': '--account',
  'account.leverage': '--leverage',
  'risk.maxPositionPct': '--max-position-pct',
  'risk.maxGrossExposurePct': '--max-gross-exposure-pct',
  'risk.maxOrderNotional': '--max-order-notional',
  'risk.maxDrawdownPct': '--max-drawdown-pct',
};

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function addAccountRiskOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--account <type>', `account type: cash or margin, any case (default margin). ${ACCOUNT_INPUT_DOCS.type}`).argParser(choiceFlag('--account', ACCOUNT_TYPES)))
    .addOption(new Option('--leverage <n>', `margin leverage, ${lower(ACCOUNT_INPUT_DOCS.leverage)}`).argParser(numberFlag('--leverage')))
    .addOption(new Option('--max-position-pct <percent>', `risk limit: ${lower(RISK_INPUT_DOCS.maxPositionPct)}`).argParser(numberFlag('--max-position-pct')))
    .addOption(new Option('--max-gross-exposure-pct <percent>', `risk limit: ${lower(RISK_INPUT_DOCS.maxGrossExposurePct)}`).argParser(numberFlag('--max-gross-exposure-pct')))
    .addOption(new Option('--max-order-notional <amount>', `risk limit: ${lower(RISK_INPUT_DOCS.maxOrderNotional)}`).argParser(numberFlag('--max-order-notional')))
    .addOption(new Option('--max-drawdown-pct <percent>', `risk limit: ${lower(RISK_INPUT_DOCS.maxDrawdownPct)}`).argParser(numberFlag('--max-drawdown-pct')));
}

/** The RunInput fields these flags set (absent flags: the defaults). */
export function accountRiskInput(f: AccountRiskFlags): { account?: AccountInput; risk: RiskInput } {
  const account = f.account === undefined && f.leverage === undefined ? undefined : { type: f.account, leverage: f.leverage };
  return {
    account,
    risk: {
      maxPositionPct: f.maxPositionPct,
      maxGrossExposurePct: f.maxGrossExposurePct,
      maxOrderNotional: f.maxOrderNotional,
      maxDrawdownPct: f.maxDrawdownPct,
    },
  };
}
