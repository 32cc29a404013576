/**
 * The connection to a Kubernetes API server: a kubeconfig (a file, `KUBECONFIG`, or the pod's
 * service account when gpupool runs in the cluster), the typed API clients gpupool uses, and one
 * token bucket that every request waits on (rate-limit.ts), lists and watches included.
 *
 * Errors: the typed clients throw `ApiException` with the HTTP status as `code` and the Status
 * body as a string; `apiStatus` reads both, so callers branch on `code` and `reason` (a 409 is
 * AlreadyExists on a create, Conflict on an update).
 */
import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import {
  ApiException,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { checkRateLimit, DEFAULT_RATE_LIMIT, type RateLimit, type TokenBucket, tokenBucket } from './rate-limit.js';

export interface KubeOptions {
  /** A kubeconfig file; default `KUBECONFIG`, else in-cluster config when running in a pod. */
  readonly kubeconfig?: string;
  /** Requests per second and burst (default 50 and 100, as client-go). */
  readonly rateLimit?: RateLimit;
}

export interface Kube {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly batch: BatchV1Api;
  readonly coordination: CoordinationV1Api;
  /** Every request, typed or raw, waits for one of its tokens. */
  readonly limiter: TokenBucket;
  /** The API server's address (for messages). */
  readonly server: string;
}

/** Where the kubeconfig comes from, in the order kubectl looks, except that in-cluster comes last. */
export function loadKubeConfig(kubeconfig?: string): KubeConfig {
  const config = new KubeConfig();
  const file = kubeconfig ?? process.env.KUBECONFIG?.split(':').find((f) => f !== '');
  if (file !== undefined) {
    if (!existsSync(file)) throw new Error(`kubeconfig ${JSON.stringify(file)} does not exist`);
    try {
      config.loadFromFile(file);
    } catch (e) {
      throw new Error(`kubeconfig ${JSON.stringify(file)} does not read as a kubeconfig: ${(e as Error).message.split('\n')[0]}`);
    }
  } else if (process.env.KUBERNETES_SERVICE_HOST) {
    config.loadFromCluster();
  } else {
    throw new Error('no Kubernetes cluster: give --kubeconfig, set KUBECONFIG, or run gpupool in a pod');
  }
  if (!config.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster (its current-context)');
  return config;
}

export function connect(options: KubeOptions = {}): Kube {
  const config = loadKubeConfig(options.kubeconfig);
  const limiter = tokenBucket(checkRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT));
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  // Over plain HTTP (an API server on loopback, kubectl proxy) requests share kept-alive
  // connections: client-node otherwise opens one per request and closes it (1.3k -> 2k pod creates
  // a second on loopback). Over TLS the agent client-node makes per request carries the
  // cluster's certificates, and is kept.
  const keepAlive = cluster.server.startsWith('http:') ? new Agent({ keepAlive: true, maxSockets: 128 }) : undefined;
  // As KubeConfig.makeApiClient, plus the rate limit as a middleware ahead of every request.
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: config },
    promiseMiddleware: [
      {
        pre: async (context) => {
          await limiter.take();
          if (keepAlive) context.setAgent(keepAlive);
          return context;
        },
        post: async (context) => context,
      },
    ],
  });
  return {
    config,
    core: new CoreV1Api(configuration),
    batch: new BatchV1Api(configuration),
    coordination: new CoordinationV1Api(configuration),
    limiter,
    server: cluster.server,
  };
}

/** What an API error says: its HTTP code and the Status reason (absent for network errors). */
export interface ApiStatus {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string;
}

export function apiStatus(error: unknown): ApiStatus {
  if (error instanceof ApiException) {
    let body: { reason?: unknown; message?: unknown } = {};
    try {
      body = typeof error.body === 'string' ? JSON.parse(error.body) : (error.body ?? {});
    } catch {
      // A body that is not a Status (a proxy's HTML page): the code is what there is.
    }
    return {
      code: error.code,
      reason: typeof body.reason === 'string' ? body.reason : undefined,
      message: typeof body.message === 'string' ? body.message : `HTTP ${error.code}`,
    };
  }
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return {
    code: typeof code === 'number' ? code : undefined,
    reason: undefined,
    message: error instanceof Error ? error.message : String(error),
  };
}

export const isNotFound = (error: unknown) => apiStatus(error).code === 404;
export const isAlreadyExists = (error: unknown) => {
  const s = apiStatus(error);
  return s.code === 409 && s.reason === 'AlreadyExists';
};
export const isConflict = (error: unknown) => {
  const s = apiStatus(error);
  return s.code === 409 && s.reason !== 'AlreadyExists';
};
