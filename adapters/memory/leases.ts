/**
 * Leases kept in memory, for the stores that keep everything in memory (the in-memory store, the
 * forwarding store). Each call reads, decides and writes with no await between: a compare-and-set,
 * so of two callers one wins.
 */
import { checkLeaseRequest, type Lease, type LeaseResult, leaseTakeable } from '../../core/ports.js';

export class MemoryLeases {
  private readonly leases = new Map<string, Lease>();

  acquire(name: string, holder: string, ttlSeconds: number, now: number): LeaseResult {
    checkLeaseRequest(name, holder, ttlSeconds, now);
    const current = this.leases.get(name);
    if (current && !leaseTakeable(current, holder, now)) return { ok: false, heldBy: current };
    const lease: Lease = { name, holder, expiresAt: now + ttlSeconds };
    this.leases.set(name, lease);
    return { ok: true, lease };
  }

  release(name: string, holder: string): void {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  read(name: string): Lease | undefined {
    return this.leases.get(name);
  }
}
