/**
 * The metrics-collector sidecar: how a tuning trial's File and TensorFlowEvent metrics get out of
 * its pod. Katib's collectors read a file inside the pod; so does this, with no agent of gpupool's
 * in the pod beyond a shell script in a small image (busybox by default).
 *
 * - The file's directory (File: the file's parent; TensorFlowEvent: the directory itself) is an
 *   `emptyDir` volume mounted at that path in both the primary container (`main`) and the sidecar,
 *   so what the trial writes there the sidecar reads.
 * - The sidecar waits until the primary container has ended, prints the file to its standard
 *   output, and exits 0 (it never fails a trial: a missing file only leaves no metrics, which makes
 *   the trial MetricsUnavailable). For TF event files, which are binary, it prints each file under
 *   the event directory whose name holds `tfevents`, in name order, as base64 between a header line
 *   and an end line (see `readTfEventDump`).
 * - The runtime reads the sidecar's log when the pod has succeeded, as it reads the primary's for
 *   StdOut, and parses it (core/experiments/metrics-collector.ts, core/experiments/tfevent.ts).
 *
 * - The same sidecar prints a pipeline step's outputs (kind `files`, container `outputs-collector`):
 *   the files its parameters are written to and KFP's executor output file, each whole, in base64
 *   between a header line and an end line (`readFileDump`), for the runtime to hand to the run
 *   executor once the step has succeeded (pipeline-step.ts).
 *
 * How the sidecar knows the primary has ended: the pod **shares its process namespace**
 * (`shareProcessNamespace: true`), and the sidecar waits while any process other than the pod's
 * pause process (PID 1) and its own shell runs. Katib does the same (its sidecar waits on the
 * processes of /proc, pkg/metricscollector/v1beta1/common/pns.go). The other way, a wrapper that
 * writes a marker file when the trial's command ends, would rewrite the trial's command: it needs
 * a shell in the trial's image and its command known (not the image's entrypoint), it must keep
 * the exit code and the termination message, and a shell as the container's first process does not
 * pass SIGTERM on, so stopping a trial would wait out the grace period. Sharing the namespace
 * changes one field of the pod and nothing of the trial's container (its process is not PID 1, so
 * it is signalled as a child of pause is: the container runtime signals the container's own first
 * process, as before). The kubelet starts a pod's containers in the order they are listed, the
 * primary first, so the sidecar's first look already finds the primary's process, or finds it
 * ended; if it never saw one (the primary's image still being pulled when the sidecar started),
 * it waits for the file, or at most `WAIT_FOR_PRIMARY` seconds, before it takes the primary for
 * ended. Without a shared namespace (a runtime that ignores the field) the sidecar would see no
 * other process and print at once: the trial would end MetricsUnavailable, not hang.
 */
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

export const DEFAULT_METRICS_COLLECTOR_IMAGE = 'busybox:1.36';
export const METRICS_COLLECTOR_CONTAINER = 'metrics-collector';
export const METRICS_VOLUME = 'gpupool-metrics';
/** How long the sidecar waits for a primary it never saw running, in seconds. */
export const WAIT_FOR_PRIMARY_SECONDS = 120;

/**
 * What the sidecar collects: a metrics file (File collector), a directory of TF event files, or
 * named files (a pipeline step's output parameters and its executor output file), each printed
 * whole in base64 between a header line and an end line, in the order named.
 */
export type MetricsSidecar =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'tfevent'; readonly directory: string }
  | { readonly kind: 'files'; readonly paths: readonly string[] };

/** The container's name when it collects a pipeline step's outputs (kind `files`). */
export const OUTPUTS_COLLECTOR_CONTAINER = 'outputs-collector';
/** The start and end lines around one named file (kind `files`). */
export const FILE_HEADER = '==> gpupool file';
export const FILE_END = '<== gpupool file end';

/** The start and end lines around one event file in the sidecar's output. */
export const TFEVENT_HEADER = '==> gpupool tfevent file';
export const TFEVENT_END = '<== gpupool tfevent end';

/**
 * The sidecar's script, POSIX sh (busybox ash, dash). Values come from the environment, never
 * spliced into it: METRICS_FILE, METRICS_DIR or FILES (paths, one a line), WAIT_FOR_PRIMARY,
 * and, for tests of the script only, PROC (the proc file system, /proc) and TERMINATION_LOG (/dev/termination-log).
 */
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not template strings
export const SIDECAR_SCRIPT = [
  'proc=${PROC:-/proc}',
  'others() {',
  '  for p in "$proc"/[0-9]*; do',
  '    p=${p##*/}',
  '    if [ "$p" != 1 ] && [ "$p" != "$$" ]; then return 0; fi',
  '  done',
  '  return 1',
  '}',
  'written() {',
  '  if [ -n "${FILES:-}" ]; then printf \'%s\\n\' "$FILES" | { while IFS= read -r f; do if [ -e "$f" ]; then exit 0; fi; done; exit 1; }',
  '  elif [ -n "${METRICS_FILE:-}" ]; then [ -e "$METRICS_FILE" ]; else [ -n "$(ls -A "$METRICS_DIR" 2>/dev/null)" ]; fi',
  '}',
  'seen=0',
  'waited=0',
  'while :; do',
  '  if others; then seen=1',
  '  elif [ "$seen" = 1 ] || written || [ "$waited" -ge "${WAIT_FOR_PRIMARY:-120}" ]; then break',
  '  fi',
  '  sleep 1',
  '  waited=$((waited + 1))',
  'done',
  'if [ -n "${FILES:-}" ]; then',
  `  printf '%s\\n' "$FILES" | while IFS= read -r f; do`,
  '    if [ -f "$f" ]; then',
  `      printf '%s %s %s\\n' '${FILE_HEADER}' "$(wc -c <"$f" | tr -d ' ')" "$f"`,
  '      base64 "$f"',
  `      printf '%s\\n' '${FILE_END}'`,
  '    fi',
  '  done',
  'elif [ -n "${METRICS_FILE:-}" ]; then',
  '  if [ -f "$METRICS_FILE" ]; then cat -- "$METRICS_FILE"; else echo "no metrics file at $METRICS_FILE" >"${TERMINATION_LOG:-/dev/termination-log}"; fi',
  'else',
  `  find "$METRICS_DIR" -type f -name '*tfevents*' | LC_ALL=C sort | while IFS= read -r f; do`,
  `    printf '%s %s %s\\n' '${TFEVENT_HEADER}' "$(wc -c <"$f" | tr -d ' ')" "\${f#"$METRICS_DIR"/}"`,
  '    base64 "$f"',
  `    printf '%s\\n' '${TFEVENT_END}'`,
  '  done',
  'fi',
  'exit 0',
].join('\n');
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not template strings

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')).replace(/\/+$/, '') || '/';

/** The directory the volume is mounted at: the file's parent, or the event directory (named files: the first's parent). */
export function metricsDirectory(sidecar: MetricsSidecar): string {
  if (sidecar.kind === 'files') return parentOf(sidecar.paths[0] ?? '/');
  const path = sidecar.kind === 'file' ? sidecar.path.slice(0, sidecar.path.lastIndexOf('/')) : sidecar.directory;
  return path.replace(/\/+$/, '') || '/';
}

/** The directories named files are in, each once, in the order first named. */
export const fileDirectories = (paths: readonly string[]): string[] => [...new Set(paths.map(parentOf))];

/** The sidecar container itself: the script, its environment, the mounts it reads (read-only). */
function sidecarContainer(
  name: string,
  image: string,
  env: { name: string; value: string }[],
  mounts: V1VolumeMount[],
): V1Container {
  return {
    name,
    image,
    command: ['sh', '-c', SIDECAR_SCRIPT],
    env: [...env, { name: 'WAIT_FOR_PRIMARY', value: String(WAIT_FOR_PRIMARY_SECONDS) }],
    volumeMounts: mounts.map((m) => ({ ...m, readOnly: true })),
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  };
}

/**
 * The sidecar that prints named files (a pipeline step's outputs), with an emptyDir for each of
 * their directories that no mount of the primary's covers already (`covered`: the primary's other
 * mounts, a shared volume the file is written to, which the sidecar then mounts as well). Null
 * when a directory is `/`, or is exactly where one of `covered` is mounted only in part.
 */
export function filesSidecarParts(
  paths: readonly string[],
  options: { readonly image?: string; readonly covered?: readonly V1VolumeMount[]; readonly volumePrefix?: string } = {},
): { volumes: V1Volume[]; mounts: V1VolumeMount[]; sidecarMounts: V1VolumeMount[]; container: V1Container } | null {
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const sidecarMounts: V1VolumeMount[] = [];
  const prefix = options.volumePrefix ?? 'gpupool-outputs';
  for (const directory of fileDirectories(paths)) {
    if (directory === '/') return null;
    const under = (options.covered ?? []).find(
      (m) => directory === m.mountPath.replace(/\/+$/, '') || directory.startsWith(`${m.mountPath.replace(/\/+$/, '')}/`),
    );
    if (under) {
      if (!sidecarMounts.includes(under)) sidecarMounts.push(under);
      continue;
    }
    const name = `${prefix}-${volumes.length}`;
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath: directory });
    sidecarMounts.push({ name, mountPath: directory });
  }
  const image = options.image ?? DEFAULT_METRICS_COLLECTOR_IMAGE;
  const container = sidecarContainer(
    OUTPUTS_COLLECTOR_CONTAINER,
    image,
    [{ name: 'FILES', value: paths.join('\n') }],
    sidecarMounts,
  );
  return { volumes, mounts, sidecarMounts, container };
}

/** The volume, the primary's mount and the sidecar container; null when the directory is `/` (no volume can be mounted there). */
export function metricsSidecarParts(
  sidecar: MetricsSidecar,
  image: string = DEFAULT_METRICS_COLLECTOR_IMAGE,
): { volume: V1Volume; mount: V1VolumeMount; container: V1Container } | null {
  const directory = metricsDirectory(sidecar);
  if (directory === '/' || sidecar.kind === 'files') return null;
  const mount: V1VolumeMount = { name: METRICS_VOLUME, mountPath: directory };
  const env =
    sidecar.kind === 'file' ? [{ name: 'METRICS_FILE', value: sidecar.path }] : [{ name: 'METRICS_DIR', value: directory }];
  return {
    volume: { name: METRICS_VOLUME, emptyDir: {} },
    mount,
    container: sidecarContainer(METRICS_COLLECTOR_CONTAINER, image, env, [mount]),
  };
}

/**
 * What the script prints, computed from the files it would find (`files`: path -> bytes). The
 * fake cluster's kubelet gives this as the sidecar's log; the tests of the script check the real
 * script prints the same.
 */
export function sidecarOutput(sidecar: MetricsSidecar, files: ReadonlyMap<string, Uint8Array>): string {
  if (sidecar.kind === 'files') {
    return sidecar.paths
      .filter((p) => files.has(p))
      .map((p) => dumpOne(FILE_HEADER, FILE_END, p, files.get(p) as Uint8Array))
      .join('');
  }
  if (sidecar.kind === 'file') {
    const bytes = files.get(sidecar.path);
    return bytes === undefined ? '' : Buffer.from(bytes).toString('utf8');
  }
  const dir = metricsDirectory(sidecar);
  const found = [...files.keys()]
    .filter((p) => p.startsWith(`${dir}/`) && p.slice(p.lastIndexOf('/') + 1).includes('tfevents'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return found.map((p) => dumpOne(TFEVENT_HEADER, TFEVENT_END, p.slice(dir.length + 1), files.get(p) as Uint8Array)).join('');
}

/** One file as the script prints it: its header (size, path), its base64 in lines of 76, its end line. */
function dumpOne(header: string, end: string, path: string, content: Uint8Array): string {
  const bytes = Buffer.from(content);
  const lines = bytes.toString('base64').match(/.{1,76}/g) ?? [];
  return [`${header} ${bytes.length} ${path}`, ...lines, end, ''].join('\n');
}

/** The event files in the sidecar's output; a file cut short (its size differs) is left out and named. */
export function readTfEventDump(log: string): { files: { path: string; bytes: Uint8Array }[]; broken: string[] } {
  return readFileDump(log, TFEVENT_HEADER, TFEVENT_END);
}

/** The files in a sidecar's output (kind `files` by default); a file cut short is left out and named. */
export function readFileDump(
  log: string,
  header: string = FILE_HEADER,
  end: string = FILE_END,
): { files: { path: string; bytes: Uint8Array }[]; broken: string[] } {
  const files: { path: string; bytes: Uint8Array }[] = [];
  const broken: string[] = [];
  let current: { path: string; size: number; base64: string[] } | null = null;
  for (const raw of log.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith(`${header} `)) {
      if (current) broken.push(current.path);
      const m = /^(\d+) (.+)$/.exec(line.slice(header.length + 1));
      current = m ? { size: Number(m[1]), path: m[2] as string, base64: [] } : null;
    } else if (line === end && current) {
      const bytes = Buffer.from(current.base64.join(''), 'base64');
      if (bytes.length === current.size) files.push({ path: current.path, bytes: new Uint8Array(bytes) });
      else broken.push(current.path);
      current = null;
    } else if (current) {
      current.base64.push(line.trim());
    }
  }
  if (current) broken.push(current.path);
  return { files, broken };
}
