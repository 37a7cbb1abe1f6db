/** A clock that moves only when told: every time-dependent rule is tested exactly. */
export interface FakeClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 8, 1, 8, 0, 0)): FakeClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
    set(ms) {
      current = ms;
    },
  };
}

/** A deterministic source in [0, 1) (mulberry32), for jitter and other randomness under test. */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Waits for an observable event instead of a guessed delay: polls `check` until it holds, or fails after `timeoutMs`
 * with `what` (a function, to describe the state at the failure).
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 6_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not reached: ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
