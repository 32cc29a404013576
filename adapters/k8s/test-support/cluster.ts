/**
 * One entry point for tests that need "a Kubernetes cluster": the fake API server, the kubelet
 * simulator on top of it, a kubeconfig file that points at it, and a way to run kubectl (and the
 * Python client) against it with a fresh HOME, so kubectl's discovery cache from another run
 * never leaks in.
 *
 *   const cluster = await startFakeCluster({ nodes: [{ name: 'gpu-1', gpus: 8 }] });
 *   const { code, stdout } = await cluster.kubectl(['get', 'nodes']);
 *   await cluster.close();
 *
 * kubectl over http sends no token; the Node and Python clients send the kubeconfig's
 * `test-token`, which the fake accepts without checking. `/openapi/*` is not served, so pass
 * `--validate=false` to `kubectl create` and `kubectl apply`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, type FakeApiServerOptions } from './fake-apiserver.js';
import { type KubeletOptions, KubeletSimulator, type NodeSpec } from './kubelet.js';

export interface CommandResult {
  /** Exit code; 124 when the command was killed at its timeout (like timeout(1)). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Kill the command after this long (default 30,000 ms). */
  timeoutMs?: number;
}

export interface FakeCluster {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** A kubeconfig (in a temp dir) pointing at url: token 'test-token', namespace default, insecure-skip-tls-verify. */
  readonly kubeconfigPath: string;
  /** In-process access to the API server. */
  readonly api: FakeApiServer;
  readonly kubelet: KubeletSimulator;
  /** Runs kubectl against the fake: fresh HOME and cache dir, --kubeconfig; kubectl from the PATH. */
  kubectl(args: string[], opts?: RunOptions): Promise<CommandResult>;
  /** Runs a script with Debian's /usr/bin/python3 (which has python3-kubernetes), KUBECONFIG set. */
  python(script: string, opts?: RunOptions): Promise<CommandResult>;
  close(): Promise<void>;
}

export interface FakeClusterOptions {
  /** Nodes the kubelet simulator adds at start (see `KubeletSimulator.addNode`). */
  nodes?: ({ name: string } & NodeSpec)[];
  kubelet?: KubeletOptions;
  api?: FakeApiServerOptions;
}

/** The interpreter with the `kubernetes` package; the `python3` on the PATH may be another one. */
export const PYTHON = '/usr/bin/python3';

let kubectlPath: string | null | undefined;

function findKubectl(): string | null {
  if (kubectlPath === undefined) {
    const found = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
    kubectlPath = found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
  }
  return kubectlPath;
}

/**
 * Whether tests with clients gpupool did not write can run here. Where they must
 * (GPUPOOL_KUBE_CLIENT_TESTS=required, as CI sets once it has installed them), a missing client
 * fails the test file instead of skipping it.
 */
function gate(client: string, available: boolean): boolean {
  if (!available && process.env.GPUPOOL_KUBE_CLIENT_TESTS === 'required') {
    throw new Error(`${client} is required (GPUPOOL_KUBE_CLIENT_TESTS=required) but is not installed`);
  }
  return available;
}

export function kubectlAvailable(): boolean {
  return gate('kubectl', findKubectl() !== null);
}

let pythonOk: boolean | undefined;

export function pythonKubernetesAvailable(): boolean {
  pythonOk ??= spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
  return gate(`${PYTHON} with the kubernetes package (python3-kubernetes)`, pythonOk);
}

function kubeconfig(url: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${url}
    insecure-skip-tls-verify: true
users:
- name: fake
  user:
    token: test-token
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
    namespace: default
current-context: fake
`;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: RunOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 124 : (code ?? 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

export async function startFakeCluster(options: FakeClusterOptions = {}): Promise<FakeCluster> {
  const api = await FakeApiServer.start(options.api);
  const kubelet = new KubeletSimulator(api, options.kubelet);
  for (const { name, ...spec } of options.nodes ?? []) kubelet.addNode(name, spec);
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-fake-k8s-'));
  const home = join(dir, 'home');
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig(api.url));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    KUBECONFIG: kubeconfigPath,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
  };
  let closed = false;
  return {
    url: api.url,
    kubeconfigPath,
    api,
    kubelet,
    kubectl(args, opts) {
      const kubectl = findKubectl();
      if (!kubectl) return Promise.reject(new Error('kubectl is not installed (kubectlAvailable() is false)'));
      return run(kubectl, ['--kubeconfig', kubeconfigPath, '--cache-dir', join(home, '.kube', 'cache'), ...args], env, dir, opts);
    },
    python(script, opts) {
      return run(PYTHON, ['-c', script], env, dir, opts);
    },
    async close() {
      if (closed) return;
      closed = true;
      kubelet.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
