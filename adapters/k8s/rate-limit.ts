/**
 * A token bucket: at most `burst` requests at once, refilled at `qps` per second. A real API server
 * protects itself (priority and fairness), and client-go limits every client the same way by
 * default (50 QPS, burst 100 here, as the operator's tooling expects); so gpupool waits its turn
 * rather than being throttled with 429s. Waiters are served in the order they asked.
 */

export interface RateLimit {
  readonly qps: number;
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { qps: 50, burst: 100 };

export interface TokenBucket {
  /** Resolves when the caller may send one request. */
  take(): Promise<void>;
  /** Requests waiting for a token now. */
  readonly waiting: number;
}

export function checkRateLimit(limit: RateLimit): RateLimit {
  for (const [name, value] of Object.entries(limit)) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`Kubernetes client rate limit: ${name} must be a number > 0, got ${value}`);
    }
  }
  if (limit.burst < 1) throw new RangeError(`Kubernetes client rate limit: burst must be >= 1, got ${limit.burst}`);
  return limit;
}

export function tokenBucket(limit: RateLimit, now: () => number = () => performance.now()): TokenBucket {
  const { qps, burst } = checkRateLimit(limit);
  let tokens = burst;
  let refilledAt = now();
  const queue: (() => void)[] = [];
  /** Whether a drain is scheduled: one timer serves every waiter. */
  let scheduled = false;

  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - refilledAt) / 1000) * qps);
    refilledAt = t;
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(drain, Math.ceil(((1 - tokens) / qps) * 1000));
  };
  const drain = () => {
    scheduled = false;
    refill();
    while (queue.length > 0 && tokens >= 1) {
      tokens -= 1;
      queue.shift()?.();
    }
    if (queue.length > 0) schedule();
  };
  return {
    take() {
      refill();
      if (queue.length === 0 && tokens >= 1) {
        tokens -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        schedule();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
