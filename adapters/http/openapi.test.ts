/**
 * The OpenAPI document: valid OpenAPI 3.0.3 by a standard validator (client generators refuse
 * one that is not), a success response declared for every operation, and every error declared as
 * application/problem+json.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PosNumber } from '../../core/codec.js';
import { jsonSchemaOf } from './json-schema.js';
import { type Fixture, fixture } from './test-support/fixture.js';

let f: Fixture;
// biome-ignore lint/suspicious/noExplicitAny: the document as parsed JSON
let doc: any;
beforeAll(async () => {
  f = await fixture();
  doc = (await f.call('nobody', 'GET', '/docs/json')).body;
});
afterAll(async () => {
  await f.close();
});

// biome-ignore lint/suspicious/noExplicitAny: operations as parsed JSON
const operations = (): [string, any][] =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, unknown]),
  );

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.0.3', async () => {
    expect(doc.openapi).toBe('3.0.3');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('declares a success response for every operation', () => {
    expect(operations().length).toBeGreaterThan(30);
    const without = operations()
      .filter(([, op]) => !Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)))
      .map(([name]) => name);
    expect(without).toEqual([]);
  });

  it('declares every error as application/problem+json', () => {
    const wrong: string[] = [];
    for (const [name, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses as Record<string, { content?: object }>)) {
        if (Number(status) < 400) continue;
        if (Object.keys(response.content ?? {}).join() !== 'application/problem+json') wrong.push(`${name} ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('writes exclusive bounds as OpenAPI 3.0 does: a boolean beside the bound', () => {
    expect(jsonSchemaOf(PosNumber)).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    const pool = doc.paths['/api/v1/pools'].post.requestBody.content['application/json'].schema;
    expect(pool.properties.maxWaitSeconds).toMatchObject({ minimum: 0, exclusiveMinimum: true });
  });

  it('says which paged lists carry X-Total-Count, and that the event stream is text/event-stream', () => {
    for (const path of [
      '/api/v1/jobs',
      '/api/v1/pools/{poolId}/queue',
      '/api/v1/workspaces',
      '/api/v1/datasets',
      '/api/v1/models',
      '/api/v1/tuning/experiments',
    ]) {
      expect(doc.paths[path].get.responses['200'].headers).toHaveProperty('x-total-count');
    }
    expect(Object.keys(doc.paths['/api/v1/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('documents each asset kind’s routes, with bodies from the assets context’s codecs', () => {
    for (const kind of ['workspaces', 'datasets', 'models']) {
      const base = `/api/v1/${kind}`;
      expect(Object.keys(doc.paths[base]).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths[`${base}/{name}`]).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(doc.paths[`${base}/{name}/versions`])).toEqual(['post']);
      expect(Object.keys(doc.paths[`${base}/{name}/archive`])).toEqual(['post']);
      expect(doc.paths[`${base}/{name}/versions/{version}`].get.responses).toHaveProperty('200');
      const create = doc.paths[base].post;
      expect(create.responses).toHaveProperty('201');
      const body = create.requestBody.content['application/json'].schema;
      // The path says the kind; the server sets the envelope; group and owner are an operator's to give.
      expect(body.required).toEqual(['name']);
      expect(Object.keys(body.properties).sort()).toEqual(
        ['credentials', 'description', 'group', 'name', 'owner', 'private', 'source', 'tags'].sort(),
      );
      expect(body.properties.source.anyOf).toHaveLength(4);
      const version = doc.paths[`${base}/{name}/versions`].post;
      expect(version.responses).toHaveProperty('201');
      expect(version.requestBody.content['application/json'].schema.properties).toHaveProperty('lineage');
    }
  });

  it('documents the tuning experiments’ routes: a Katib Experiment as JSON or YAML, the three counts, a stop’s trials', () => {
    const base = '/api/v1/tuning/experiments';
    expect(Object.keys(doc.paths[base]).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths[`${base}/{name}`]).sort()).toEqual(['get', 'patch']);
    expect(Object.keys(doc.paths[`${base}/{name}/stop`])).toEqual(['post']);
    expect(Object.keys(doc.paths[`${base}/{name}/restart`])).toEqual(['post']);
    const create = doc.paths[base].post;
    expect(create.responses).toHaveProperty('201');
    expect(Object.keys(create.requestBody.content).sort()).toEqual(['application/json', 'application/yaml']);
    const experiment = create.requestBody.content['application/json'].schema;
    expect(experiment.required).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(experiment.properties.apiVersion.enum).toEqual(['kubeflow.org/v1beta1']);
    expect(create.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['idempotency-key', 'owner', 'seed']);
    const edit = doc.paths[`${base}/{name}`].patch.requestBody.content['application/json'].schema;
    expect(Object.keys(edit.properties).sort()).toEqual(['maxFailedTrialCount', 'maxTrialCount', 'parallelTrialCount']);
    expect(edit.required).toBeUndefined();
    expect(edit.properties.maxTrialCount.nullable).toBe(true);
    const stop = doc.paths[`${base}/{name}/stop`].post.requestBody.content['application/json'].schema;
    expect(stop.properties.trials.enum).toEqual(['finish', 'stop']);
    const list = doc.paths[base].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(expect.arrayContaining(['status', 'tag', 'visibility', 'owner', 'group', 'limit', 'offset']));
  });
});
