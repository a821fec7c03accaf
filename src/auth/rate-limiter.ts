/**
 * Per-caller request budget: a token bucket holding `perMinute` tokens, refilled continuously.
 * An empty bucket answers how long until the next token.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when granted, else the milliseconds to wait. */
  take(bucket: string): number {
    const t = this.now();
    const b = this.buckets.get(bucket) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) * this.perMinute) / 60_000);
    b.at = t;
    this.buckets.set(bucket, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 60_000) / this.perMinute);
  }
}
