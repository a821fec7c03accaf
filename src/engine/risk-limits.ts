/**
 * Limits a run's risk manager applies before an order reaches the broker (docs/CONVENTIONS.md,
 * "Risk limits"). Each is optional; percentages are percent of equity.
 */
export interface RiskLimits {
  /** Largest position value in one symbol after an order, percent of equity. */
  readonly maxPositionPct?: number;
  /** Largest gross exposure (Σ |position| × price) after an order, percent of equity. */
  readonly maxGrossExposurePct?: number;
  /** Largest notional (quantity × price) of one order, currency. */
  readonly maxOrderNotional?: number;
  /** Drawdown from the equity peak, percent, at which the run flattens every position and stops trading. */
  readonly maxDrawdownPct?: number;
}

export const RISK_LIMIT_NAMES = ['maxPositionPct', 'maxGrossExposurePct', 'maxOrderNotional', 'maxDrawdownPct'] as const;
export type RiskLimitName = (typeof RISK_LIMIT_NAMES)[number];

/** Why these limits are unusable (the engine's own check; the run input has narrower ranges), or null. */
export function riskLimitsProblem(r: RiskLimits): string | null {
  for (const name of RISK_LIMIT_NAMES) {
    const v = r[name];
    if (v === undefined) continue;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) return `risk.${name} must be a finite number > 0, got ${String(v)}`;
    if (name === 'maxDrawdownPct' && v > 100) return `risk.maxDrawdownPct must be <= 100, got ${v}`;
  }
  return null;
}

/** The drawdown halt as the results and events report it. */
export interface RiskHalt {
  readonly limit: 'maxDrawdownPct';
  /** Time of the equity point at which the limit was reached, epoch ms. */
  readonly time: number;
  /** Index of that point in the equity curve. */
  readonly step: number;
  readonly equity: number;
  readonly peak: number;
  /** 1 - equity / peak, a fraction. */
  readonly drawdown: number;
  readonly reason: string;
}
