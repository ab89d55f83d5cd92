/**
 * Token buckets, one per API key: `ratePerSecond` tokens flow in continuously up to `burst`; a
 * request takes one. A rate of 0 turns limiting off. Requests without a key (a loopback server
 * that needs none) are not limited: there is no key to hold to account.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `key`: 0 when granted, else the milliseconds until one is available. */
  take(key: string): number {
    if (this.ratePerSecond <= 0) return 0;
    const now = this.now();
    const capacity = Math.max(1, this.burst);
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * this.ratePerSecond) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) * 1000) / this.ratePerSecond;
  }
}
