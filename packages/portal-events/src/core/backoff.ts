export interface BackoffPolicy {
  /** Delay before the second attempt, in milliseconds. */
  readonly baseMs: number;
  /** Longest delay between two attempts, in milliseconds. */
  readonly maxMs: number;
}

/**
 * Exponential backoff with "equal jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): half the
 * exponential delay is kept, the other half is random, so retries spread out after an outage yet never come back
 * sooner than half the schedule. `attempt` counts the attempts already made (1 after the first failure).
 */
export function retryDelayMs(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
