/**
 * What a job's inputs cost a submission: `POST /api/v1/jobs` of a training job that names a
 * workspace and three datasets (`inputs`, each pinned to the latest version as the owner sees it,
 * and each version's use sent to the assets stream once the job is accepted, without delaying the
 * answer: the job-outputs reactor records the same uses, whichever lands first) against the same
 * training job without inputs, under the load of the HTTP benchmark's submit case (100
 * connections, 0-GPU jobs, so nothing waits; a 201 only once durable).
 *
 * Each kind runs on a fresh server and SQLite file of its own (http-child.ts): a data scientist,
 * the workspace and the datasets in their group with a version each, 2 s of warm-up, then the
 * load. Not one server for both: what the first load leaves behind (a longer state, and a backlog
 * of events for the job-outputs reactor, which falls behind under this load) slowed whichever ran
 * second by a quarter or more. The order alternates between repetitions all the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { call, HTTP, type LoadRun, load, onboard, startServer } from './http.js';

export interface InputsRun {
  plain: LoadRun & { requestsPerTransaction: number };
  inputs: LoadRun & { requestsPerTransaction: number };
}

const DATASETS = ['images', 'labels', 'eval'];

/** The body of a training job with inputs: the workspace and the datasets by name (the owner's group). */
export const INPUTS_BODY = {
  kind: 'training',
  gpus: 0,
  inputs: {
    workspace: { assetId: 'code' },
    datasets: DATASETS.map((name) => ({ assetId: name, mountPath: `/data/${name}` })),
  },
};
export const PLAIN_BODY = { kind: 'training', gpus: 0 };

/**
 * One kind of submission on a fresh server: a data scientist, the workspace and the datasets with
 * a version each (made for both kinds, so both start from the same state), warm-up, then the load.
 */
async function measure(name: string, body: unknown): Promise<InputsRun['plain']> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-inputs-'));
  const server = await startServer(dir);
  try {
    const ds = await onboard(server, 'train', 'A100', 32);
    await call(server.url, ds, 'POST', '/api/v1/workspaces', {
      name: 'code',
      source: { kind: 'git', url: 'https://example.com/team/train.git', ref: 'main' },
    });
    await call(server.url, ds, 'POST', '/api/v1/workspaces/code/versions', { pin: { commit: 'a1b2c3d4' } });
    for (const dataset of DATASETS) {
      await call(server.url, ds, 'POST', '/api/v1/datasets', {
        name: dataset,
        source: { kind: 'object', uri: `s3://bench/${dataset}/` },
      });
      await call(server.url, ds, 'POST', `/api/v1/datasets/${dataset}/versions`, { pin: { objectVersion: 'v1' } });
    }
    // One submission with inputs checked by hand: pinned to version 1 of each.
    const job = await call(server.url, ds, 'POST', '/api/v1/jobs', INPUTS_BODY);
    if (job.inputs?.workspace?.version !== 1 || job.inputs?.datasets?.length !== DATASETS.length) {
      throw new Error(`inputs bench: the job's inputs were not pinned: ${JSON.stringify(job.inputs)}`);
    }
    const options = (duration: number): autocannon.Options => ({
      url: `${server.url}/api/v1/jobs`,
      method: 'POST',
      connections: HTTP.submitConnections,
      duration,
      headers: { authorization: `Bearer ${ds}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await load(`${name} warm-up`, options(HTTP.warmupSeconds));
    const before = await server.stats();
    const { bytes: _bytes, ...r } = await load(name, options(HTTP.seconds));
    const after = await server.stats();
    return { ...r, requestsPerTransaction: r.requests / Math.max(1, after.transactions - before.transactions) };
  } finally {
    // autocannon stops with requests in flight: let them finish (their uses recorded) before the
    // server closes its store under them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One repetition, each kind on a server of its own; `inputsFirst` measures the submissions with inputs first. */
export async function inputsRun(inputsFirst: boolean): Promise<InputsRun> {
  if (inputsFirst) {
    const inputs = await measure('inputs', INPUTS_BODY);
    const plain = await measure('plain', PLAIN_BODY);
    return { plain, inputs };
  }
  const plain = await measure('plain', PLAIN_BODY);
  const inputs = await measure('inputs', INPUTS_BODY);
  return { plain, inputs };
}
