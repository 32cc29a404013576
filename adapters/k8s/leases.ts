/**
 * Leader leases as `coordination.k8s.io/v1` Lease objects, for the leader election of
 * engine/leader.ts: with two gpupool replicas in a cluster, the one holding the Lease runs the
 * Kubernetes runtime. It answers the store port's `acquireLease`/`releaseLease`, so the election is
 * the same code whichever keeps the lease; the compare-and-set is the Lease's resourceVersion (a
 * replace with a stale one is refused with 409 Conflict, so of two replicas asking at once one
 * wins).
 *
 * The Lease is written as client-go's leader election writes it (holderIdentity,
 * leaseDurationSeconds, acquireTime, renewTime, leaseTransitions), so `kubectl get lease` reads it
 * the usual way; a release clears the holder, as client-go's ReleaseOnCancel does. Expiry is
 * renewTime + leaseDurationSeconds by the asker's clock (replicas' clocks must agree to well
 * within the ttl, as for any lease).
 */
import type { V1Lease } from '@kubernetes/client-node';
import type { EventStore, Lease, LeaseResult } from '../../core/ports.js';
import { checkLeaseRequest, leaseTakeable } from '../../core/ports.js';
import { isAlreadyExists, isConflict, isNotFound, type Kube } from './kube.js';

export interface KubernetesLeasesOptions {
  /** The namespace the Lease objects live in (gpupool's own). */
  readonly namespace: string;
  /** Prefix of the Lease objects' names (`<prefix><lease name>`). Default `gpupool-`. */
  readonly prefix?: string;
}

export type LeaseKeeper = Pick<EventStore, 'acquireLease' | 'releaseLease' | 'readLease'>;

const seconds = (t: unknown): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const ms = new Date(t as string).getTime();
  return Number.isFinite(ms) ? ms / 1000 : undefined;
};

/** The lease a Lease object says, or undefined when nobody holds it. */
function leaseOf(name: string, object: V1Lease): Lease | undefined {
  const holder = object.spec?.holderIdentity;
  if (!holder) return undefined;
  const renewed = seconds(object.spec?.renewTime) ?? seconds(object.spec?.acquireTime) ?? 0;
  return { name, holder, expiresAt: renewed + (object.spec?.leaseDurationSeconds ?? 0) };
}

export function kubernetesLeases(kube: Kube, options: KubernetesLeasesOptions): LeaseKeeper {
  const namespace = options.namespace;
  const prefix = options.prefix ?? 'gpupool-';
  const objectName = (name: string) => `${prefix}${name}`;

  async function read(name: string): Promise<V1Lease | undefined> {
    try {
      return await kube.coordination.readNamespacedLease({ name: objectName(name), namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  return {
    async acquireLease(name, holder, ttlSeconds, now): Promise<LeaseResult> {
      checkLeaseRequest(name, holder, ttlSeconds, now);
      const at = new Date(now * 1000);
      const duration = Math.max(1, Math.ceil(ttlSeconds));
      const mine: Lease = { name, holder, expiresAt: now + duration };
      const current = await read(name);
      if (current === undefined) {
        try {
          await kube.coordination.createNamespacedLease({
            namespace,
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name: objectName(name), namespace, labels: { 'app.kubernetes.io/managed-by': 'gpupool' } },
              spec: {
                holderIdentity: holder,
                leaseDurationSeconds: duration,
                acquireTime: at,
                renewTime: at,
                leaseTransitions: 0,
              },
            },
          });
          return { ok: true, lease: mine };
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
          // Another replica created it first: it holds it.
          const theirs = await read(name);
          const heldBy = theirs && leaseOf(name, theirs);
          return heldBy ? { ok: false, heldBy } : this.acquireLease(name, holder, ttlSeconds, now);
        }
      }
      const held = leaseOf(name, current);
      if (held && !leaseTakeable(held, holder, now)) return { ok: false, heldBy: held };
      const taking = held?.holder !== holder;
      try {
        await kube.coordination.replaceNamespacedLease({
          name: objectName(name),
          namespace,
          body: {
            ...current,
            spec: {
              ...current.spec,
              holderIdentity: holder,
              leaseDurationSeconds: duration,
              renewTime: at,
              ...(taking ? { acquireTime: at, leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 } : {}),
            },
          },
        });
        return { ok: true, lease: mine };
      } catch (error) {
        if (!isConflict(error)) throw error;
        // Someone wrote it between the read and the replace: whoever that was holds it now.
        const theirs = await read(name);
        const heldBy = theirs && leaseOf(name, theirs);
        if (heldBy && heldBy.holder !== holder) return { ok: false, heldBy };
        return this.acquireLease(name, holder, ttlSeconds, now);
      }
    },

    async releaseLease(name, holder) {
      const current = await read(name);
      if (current === undefined || current.spec?.holderIdentity !== holder) return;
      try {
        await kube.coordination.replaceNamespacedLease({
          name: objectName(name),
          namespace,
          body: { ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
        });
      } catch (error) {
        // Taken over meanwhile: nothing of ours to give up.
        if (!isConflict(error) && !isNotFound(error)) throw error;
      }
    },

    async readLease(name) {
      const current = await read(name);
      return current && leaseOf(name, current);
    },
  };
}
