/**
 * The gpupool HTTP API's types, generated from its OpenAPI document by web/tools/api-schema.ts:
 * do not edit by hand (`npx tsx web/tools/api-schema.ts` writes it again).
 */
export interface paths {
    "/api/v1/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List datasets, oldest first (a data scientist sees their group’s, an operator every group’s)
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. Archived ones are listed only with `archived=true`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description list the archived instead */
                    archived?: "true" | "false";
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    tag?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a dataset in your group (an operator may name the group and the owner)
         * @description A source names its credentials (`credentials`), never carries them: a URL with a user and password is refused. `name` is unique in the group.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credentials?: string;
                        description?: string;
                        group?: string;
                        name: string;
                        owner?: string;
                        private?: boolean;
                        source?: {
                            /** @enum {unknown} */
                            kind: "git";
                            path?: string;
                            ref?: string;
                            url: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "object";
                            uri: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "http";
                            url: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "volume";
                            path: string;
                        };
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A dataset with its versions and their lineage (archived ones too) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a dataset nothing was made from (its owner or an operator); 409 in-use otherwise: archive it */
        delete: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Describe a dataset: description, tags, private (its owner or an operator) */
        patch: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        private?: boolean;
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/datasets/{name}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive a dataset: gone from lists and from new work, its versions still read (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasets/{name}/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A dataset's versions side by side by their metrics: one row per metric, a value per version (null where a version has none) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                    /** @description comma-separated version numbers (default: all) */
                    versions?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasets/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record a version of a dataset: what it pins, where it is, the metrics and lineage of the job that made it
         * @description Anyone who may see the asset records versions of it, as themselves (`by`; an operator may name another user). A lineage names versions `{ assetId, version }`, by the asset’s id or its name alone (looked up in this asset’s group); they must be in this group, visible to `by`.
         */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        by?: string;
                        lineage?: {
                            datasets?: {
                                assetId: string;
                                version: number;
                            }[];
                            hyperparameters?: {
                                [key: string]: unknown;
                            };
                            /** @description a relative path inside the workspace */
                            hyperparametersFile?: string;
                            image?: string;
                            job?: string;
                            model?: {
                                assetId: string;
                                version: number;
                            };
                            workspace?: {
                                assetId: string;
                                version: number;
                            };
                        };
                        metrics?: {
                            [key: string]: number;
                        };
                        pin?: {
                            commit?: string;
                            contentHash?: string;
                            etag?: string;
                            objectVersion?: string;
                        };
                        uri?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasets/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version of a dataset: what it pins, where it is, its metrics and lineage */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The event stream (text/event-stream), resumable with Last-Event-ID
         * @description Each message has the event revision as `id`, the event type as `event`, and the event as JSON `data`. Without Last-Event-ID the stream starts with the next event; with it (or `?lastEventId=`), right after that revision (-1: from the first event). A stream that ends on the server's side sends a final `event: error` whose data says why (`code`: too-slow, token-revoked, user-removed, shutting-down) and `lastEventId`, the revision to resume after. A user may hold 4 streams at once. HEAD answers the headers without opening a stream.
         */
        get: {
            parameters: {
                query?: {
                    lastEventId?: string;
                };
                header?: {
                    "last-event-id"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description too many at once */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/forecast/what-if": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What if? Every waiting job’s predicted wait before and after planned changes (an estimate; nothing changes)
         * @description Move GPUs between pools, change a pool’s policy, cordon a node: the changes are applied to a copy of the cluster, which is then played forward as for a forecast. A change the cluster would refuse is answered 409 naming it (`details.field`). `pool` narrows the jobs to that pool’s; `limit` (default 100, at most 1000) and `offset` page them; the summary covers them all.
         */
        post: {
            parameters: {
                query?: {
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    /** @description only this pool’s jobs */
                    pool?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Planned changes, applied in order at once, then the cluster played forward: commands of the types CreatePool, ConfigurePool, AllocateGPUs, MovePoolDevices, DeletePool, AssignPool, CordonNode, UncordonNode, LoseNode (with their `type`) */
                        changes: ({
                            gpuType: string;
                            maxWaitSeconds?: number | null;
                            name: string;
                            /** @enum {string} */
                            placement?: "node" | "count";
                            /** @enum {string} */
                            policy?: "fifo" | "sjf" | "first-fit" | "backfill";
                            poolId: string;
                            /** @enum {unknown} */
                            type: "CreatePool";
                        } | {
                            maxWaitSeconds?: number | null;
                            /** @enum {string} */
                            placement?: "node" | "count";
                            /** @enum {string} */
                            policy?: "fifo" | "sjf" | "first-fit" | "backfill";
                            poolId: string;
                            /** @enum {unknown} */
                            type: "ConfigurePool";
                        } | {
                            count?: number;
                            devices?: string[];
                            poolId: string;
                            /** @enum {unknown} */
                            type: "AllocateGPUs";
                        } | {
                            devices: string[];
                            fromPoolId?: string;
                            toPoolId: string;
                            /** @enum {unknown} */
                            type: "MovePoolDevices";
                        } | {
                            poolId: string;
                            /** @enum {unknown} */
                            type: "DeletePool";
                        } | {
                            groupId: string;
                            poolId: string | null;
                            /** @enum {unknown} */
                            type: "AssignPool";
                        } | {
                            nodeId: string;
                            /** @enum {unknown} */
                            type: "CordonNode";
                        } | {
                            nodeId: string;
                            /** @enum {unknown} */
                            type: "UncordonNode";
                        } | {
                            nodeId: string;
                            /** @enum {unknown} */
                            type: "LoseNode";
                        })[];
                    };
                };
            };
            responses: {
                /** @description the forecast (an estimate) */
                200: {
                    headers: {
                        /** @description how many jobs, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description always true: a prediction, not a promise
                             * @enum {boolean}
                             */
                            estimate: true;
                            /** @description the latest time it looks at (epoch seconds) */
                            horizon: number;
                            /** @description Every waiting job, in submission order, with its predicted start before and after the planned changes */
                            jobs: {
                                after: {
                                    /** @description predicted start */
                                    startAt: number | null;
                                    /** @description from now to that start */
                                    waitSeconds: number | null;
                                };
                                before: {
                                    /** @description predicted start */
                                    startAt: number | null;
                                    /** @description from now to that start */
                                    waitSeconds: number | null;
                                };
                                /** @description after minus before (negative: sooner); null when either never starts */
                                deltaSeconds: number | null;
                                job: {
                                    expectedDuration: number | null;
                                    gpus: number;
                                    group: string;
                                    id: string;
                                    kind: string;
                                    name: string;
                                    owner: string;
                                    submittedAt: number;
                                };
                                pool: string | null;
                            }[];
                            /** @description the time the forecast starts from (epoch seconds) */
                            now: number;
                            /** @description the cluster revision it was made from */
                            revision: number;
                            summary: {
                                /** @description waiting jobs (in the pool asked for, if any) */
                                jobs: number;
                                later: number;
                                /** @description and after it */
                                meanWaitAfter: number | null;
                                /** @description mean predicted wait of the jobs that start within the horizon before the change */
                                meanWaitBefore: number | null;
                                /** @description and after it */
                                neverAfter: number;
                                /** @description jobs with no start within the horizon before the change */
                                neverBefore: number;
                                sooner: number;
                                unchanged: number;
                            };
                            /** @description The duration assumed for jobs of each kind that expect none of their own */
                            typicalDurations: {
                                kind: string;
                                /** @description finished jobs the median is of (the most recent, at most 1,000) */
                                samples: number;
                                seconds: number;
                                /**
                                 * @description default: no job of the kind has finished yet
                                 * @enum {string}
                                 */
                                source: "median" | "default";
                            }[];
                        };
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the event store did not take the command, or the server is shutting down */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List groups and their pools */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Create a group */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        groupId: string;
                        name: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{groupId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One group and its members */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path: {
                    groupId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a group: its users move to the Default Group (refused while it has unfinished jobs) */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    groupId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{groupId}/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Limit unfinished jobs: the group’s in all, and each of its users’ (null: no limit)
         * @description A submission past a limit is refused with 429 `too-many-unfinished-jobs`. A user’s unfinished jobs are counted across groups.
         */
        put: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    groupId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        maxUnfinishedJobs?: number | null;
                        maxUnfinishedJobsPerUser?: number | null;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{groupId}/pool": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Assign the group its pool (null: none) */
        put: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    groupId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        poolId: string | null;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List jobs, oldest first */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    kind?: "notebook" | "training" | "preprocessing" | "inference" | "trial" | "pipeline-step";
                    limit?: number;
                    offset?: number;
                    owner?: string;
                    /** @description comma-separated statuses: Queued, WaitingForGPUs, Starting, Running, Training, Complete, Error, Stopping, Stopped */
                    status?: string;
                    tag?: string;
                    /** @description mine: yours; shared: your group’s shared jobs; all: every job you may see */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Submit a job of any kind: it starts at once if its group’s pool has the GPUs, else it waits
         * @description A data scientist submits for themselves; an operator may name another owner. `jobId` defaults to a fresh id (or one derived from the Idempotency-Key).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        expectedDuration?: number;
                        gpus: number;
                        gpuType?: string;
                        /** @enum {string} */
                        ide?: "jupyter" | "rstudio" | "vscode";
                        immediate?: boolean;
                        inputs?: {
                            datasets?: {
                                assetId: string;
                                mountPath: string;
                                version?: number;
                            }[];
                            /** @description a relative path inside the workspace */
                            hyperparametersFile?: string;
                            model?: {
                                assetId: string;
                                version?: number;
                            };
                            workspace?: {
                                assetId: string;
                                version?: number;
                            };
                        };
                        jobId?: string;
                        /** @enum {string} */
                        kind: "notebook" | "training" | "preprocessing" | "inference" | "trial" | "pipeline-step";
                        nodeAffinity?: {
                            matchExpressions: {
                                key: string;
                                /** @enum {string} */
                                operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
                                values?: string[];
                            }[];
                        }[];
                        nodeSelector?: {
                            [key: string]: string;
                        };
                        output?: {
                            dataset?: string;
                            model?: string;
                        };
                        owner?: string;
                        priority?: number;
                        /** @description visible to its owner (and operators) only; default: shared with the owner’s group */
                        private?: boolean;
                        shared?: boolean;
                        /** @description any JSON value */
                        spec?: unknown;
                        tags?: string[];
                        workers?: number;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job with its history */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/clone": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Clone a job (rerun one that ended in Error): a new job with the same request */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description default: the source’s */
                        gpus?: number;
                        /** @description run on this GPU type (default: the source’s, else the type it ran on) */
                        gpuType?: string;
                        /** @description the new job’s name (default: fresh) */
                        jobId?: string;
                        /** @description run only on nodes satisfying one of these node selector terms (default: the source’s; [] for none) */
                        nodeAffinity?: {
                            matchExpressions: {
                                key: string;
                                /** @enum {string} */
                                operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
                                values?: string[];
                            }[];
                        }[];
                        /** @description run only on nodes with these labels (default: the source’s; {} for any node) */
                        nodeSelector?: {
                            [key: string]: string;
                        };
                        /** @description default: the source’s */
                        workers?: number;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Why a job waits: what it needs, what is free, and the rule that holds it (null when it does not wait) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/forecast": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** When will it start? A waiting job’s predicted start and wait (an estimate) */
        get: {
            parameters: {
                query?: {
                    /** @description the job’s group */
                    group?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the forecast (an estimate) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description always true: a prediction, not a promise
                             * @enum {boolean}
                             */
                            estimate: true;
                            group: string;
                            /** @description the latest time it looks at (epoch seconds) */
                            horizon?: number;
                            jobId: string;
                            name: string;
                            /** @description the time the forecast starts from (epoch seconds) */
                            now?: number;
                            /** @description the cluster revision it was made from */
                            revision?: number;
                            /** @description predicted start (epoch seconds); null: not within the horizon */
                            startAt: number | null;
                            status: string;
                            /** @description The duration assumed for jobs of each kind that expect none of their own */
                            typicalDurations?: {
                                kind: string;
                                /** @description finished jobs the median is of (the most recent, at most 1,000) */
                                samples: number;
                                seconds: number;
                                /**
                                 * @description default: no job of the kind has finished yet
                                 * @enum {string}
                                 */
                                source: "median" | "default";
                            }[];
                            /** @description false: the job no longer waits (startAt is then when it was allocated, if it was) */
                            waiting: boolean;
                            /** @description from now to that start */
                            waitSeconds: number | null;
                        };
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the event store did not take the command, or the server is shutting down */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A worker’s log, as the runtime has it now: text/plain, or JSON saying why there is none
         * @description The log of one worker of a job that has started (on Kubernetes, its pod’s main container). As text/plain (the default), a missing log is a problem: 409 job-not-started while the job waits; 404 logs-gone when the runtime no longer has it (a pod deleted once its job ended), logs-unavailable when the runtime keeps none (the simulated runtime) or the job ended without starting. Asked for application/json, the answer is 200 either way: the text, or null and what is missing (a page reading it expects either).
         */
        get: {
            parameters: {
                query?: {
                    /** @description at most this many bytes of them, from the first (X-Log-Truncated: true when cut) */
                    limitBytes?: number;
                    /** @description only its last lines */
                    tailLines?: number;
                    /** @description which worker (0 for a single-worker job) */
                    worker?: number;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the log */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            missing: {
                                /** @enum {string} */
                                code: "job-not-started" | "logs-gone" | "logs-unavailable";
                                detail: string;
                            } | null;
                            text: string | null;
                            /** @description cut at limitBytes: there is more after the text */
                            truncated: boolean;
                            worker: number;
                        };
                        "text/plain": string;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the event store did not take the command, or the server is shutting down */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's metrics: each one's series (step, value, at) in report order, and its final value */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Report a running job's metrics: a batch of at most 1000 points (name, value, step, at) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        points: {
                            at?: number;
                            name: string;
                            step?: number;
                            value: number;
                        }[];
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop a job: a waiting one at once, a running one through the runtime */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the token belongs to */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List models, oldest first (a data scientist sees their group’s, an operator every group’s)
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. Archived ones are listed only with `archived=true`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description list the archived instead */
                    archived?: "true" | "false";
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    tag?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a model in your group (an operator may name the group and the owner)
         * @description A source names its credentials (`credentials`), never carries them: a URL with a user and password is refused. `name` is unique in the group.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credentials?: string;
                        description?: string;
                        group?: string;
                        name: string;
                        owner?: string;
                        private?: boolean;
                        source?: {
                            /** @enum {unknown} */
                            kind: "git";
                            path?: string;
                            ref?: string;
                            url: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "object";
                            uri: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "http";
                            url: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "volume";
                            path: string;
                        };
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A model with its versions and their lineage (archived ones too) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a model nothing was made from (its owner or an operator); 409 in-use otherwise: archive it */
        delete: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Describe a model: description, tags, private (its owner or an operator) */
        patch: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        private?: boolean;
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/models/{name}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive a model: gone from lists and from new work, its versions still read (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A model's versions side by side by their metrics: one row per metric, a value per version (null where a version has none) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                    /** @description comma-separated version numbers (default: all) */
                    versions?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record a version of a model: what it pins, where it is, the metrics and lineage of the job that made it
         * @description Anyone who may see the asset records versions of it, as themselves (`by`; an operator may name another user). A lineage names versions `{ assetId, version }`, by the asset’s id or its name alone (looked up in this asset’s group); they must be in this group, visible to `by`.
         */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        by?: string;
                        lineage?: {
                            datasets?: {
                                assetId: string;
                                version: number;
                            }[];
                            hyperparameters?: {
                                [key: string]: unknown;
                            };
                            /** @description a relative path inside the workspace */
                            hyperparametersFile?: string;
                            image?: string;
                            job?: string;
                            model?: {
                                assetId: string;
                                version: number;
                            };
                            workspace?: {
                                assetId: string;
                                version: number;
                            };
                        };
                        metrics?: {
                            [key: string]: number;
                        };
                        pin?: {
                            commit?: string;
                            contentHash?: string;
                            etag?: string;
                            objectVersion?: string;
                        };
                        uri?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version of a model: what it pins, where it is, its metrics and lineage */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}/versions/{version}/reproduce": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reproduce a model version: a new training job with exactly the request and pinned inputs of the job that made it (its output the same model) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description the new job’s name (default: fresh) */
                        jobId?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/nodes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List nodes and their devices */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Register (or re-register) a node; its devices join the Default Pool */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        devices: {
                            gpuType: string;
                            index: number;
                        }[];
                        labels?: {
                            [key: string]: string;
                        };
                        name?: string;
                        nodeId: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/nodes/{nodeId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One node */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path: {
                    nodeId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/nodes/{nodeId}/cordon": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cordon a node: no new placements */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    nodeId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/nodes/{nodeId}/uncordon": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Uncordon a node */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    nodeId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-components": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The component library of your group: the v1 component files graph components resolve from */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Add a v1 component file to your group’s component library
         * @description The body is the component’s `component.yaml` as text (`application/yaml`): its digest is the SHA-256 of that text, as the v1 SDK computes `componentRef.digest`. `url` says where it came from, for references by url. Adding a file the library has changes nothing.
         */
        post: {
            parameters: {
                query?: {
                    /** @description where the file came from */
                    url?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                    "application/yaml": string;
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-components/{digest}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A component of your group’s library, with its text */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    digest: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-experiments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List pipeline experiments, oldest first (KFP’s experiments: folders of runs, not tuning experiments)
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match.
         */
        get: {
            parameters: {
                query?: {
                    /** @description archived ones, live ones, or both */
                    archived?: "true" | "false" | "all";
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a pipeline experiment in its owner’s group
         * @description A data scientist creates as themselves; an operator may name the `owner`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        /** @description its name in the group */
                        name: string;
                        /** @description whose it is (an operator may name another user) */
                        owner?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-experiments/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A pipeline experiment, with how many of its runs are in each state and how many recurring runs it has
         * @description Named by its name in your group, `?group=` for another, or its whole id `<group>/<name>` URL-encoded.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-experiments/{name}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive a pipeline experiment: no new run may join it until it is restored (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-experiments/{name}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restore an archived pipeline experiment (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List pipeline runs, oldest first, with their steps counted by state (no graphs)
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. `experiment`, `pipeline` and `recurringRun` are names in the group looked in (`group`, else yours) or whole ids.
         */
        get: {
            parameters: {
                query?: {
                    /** @description archived ones, live ones, or both */
                    archived?: "true" | "false" | "all";
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    experiment?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    pipeline?: string;
                    recurringRun?: string;
                    /** @description a comma-separated list of PENDING, RUNNING, SUCCEEDED, SKIPPED, FAILED, CANCELING, CANCELED, PAUSED */
                    state?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Start a run of a pipeline version, in its owner’s group
         * @description `pipeline` (and `experiment`) by name in the owner’s group or by whole id; `version` by name (absent or `latest`: the latest). `parameters` are the pipeline’s inputs (defaults fill in the rest); every wrong one is named. `simulation` steers the simulated runtime per task (by task key or path tail): `{ "<task>": { seconds?, outcome?: "succeeded"|"failed", failAttempts?, failRuns?, outputs? } }`. An operator may name the `owner`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description the pipeline experiment it belongs to */
                        experiment?: string;
                        /** @description its name in the group */
                        name: string;
                        /** @description whose run it is (an operator may name another user) */
                        owner?: string;
                        parameters?: {
                            [key: string]: unknown;
                        };
                        pipeline: string;
                        /** @description where its artifacts go (default: the pipeline’s, or gpupool’s) */
                        pipelineRoot?: string;
                        simulation?: {
                            [key: string]: unknown;
                        };
                        /** @description a version’s name (default: the latest) */
                        version?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-runs/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A run: its state and history, its parameters, and its task graph with every task’s state
         * @description The graph holds every task execution, and the tasks of each DAG execution not created yet (state NOT_STARTED), so a run is drawn whole from its start; edges join each DAG’s tasks by their dependencies.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-runs/{name}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive a run: lists leave it out unless asked (`archived=true|all`) (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-runs/{name}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restore an archived run (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-runs/{name}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a failed or canceled run: only what did not succeed runs again; what succeeded keeps its outputs (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipeline-runs/{name}/terminate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Terminate a run: its steps are stopped; it is CANCELING, then CANCELED (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List pipelines, oldest first (a data scientist sees their group’s, an operator every group’s)
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Upload a pipeline: a compiled KFP v2 pipeline, a v1 component or a v1 graph component, in its owner’s group
         * @description The body is the file as the KFP SDK writes it, YAML (`application/yaml`, `application/x-yaml`, `text/yaml`) or JSON: a v2 IR with an optional second document holding the platform spec, a v1 `component.yaml` (run as a one-step pipeline), or a v1 graph component whose `componentRef`s resolve from the group’s component library (`/pipeline-components`). Every issue of a file is answered at once, each with its path (`body.root.dag.tasks.x.componentRef.name`). `name` defaults to the file’s pipeline name, made a Kubernetes name; `version` (default `v1`) names its first version.
         */
        post: {
            parameters: {
                query?: {
                    description?: string;
                    /** @description its name in the group (default: the file’s, sanitized) */
                    name?: string;
                    /** @description whose pipeline it is (an operator may name another user) */
                    owner?: string;
                    /** @description its first version’s name (default v1) */
                    version?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                    "application/yaml": string;
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A pipeline with its versions
         * @description Named by its name in your group, `?group=` for another, or its whole id `<group>/<name>` URL-encoded.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a new version of a pipeline (its owner or an operator)
         * @description The body is a pipeline file, as for an upload. `name` names the version (default `v<n>`, n one more than the versions it has); runs that name no version take the latest.
         */
        post: {
            parameters: {
                query?: {
                    description?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                    /** @description the version’s name (default v<n>) */
                    name?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                    "application/yaml": string;
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A version of a pipeline: its IR, its platform spec and its inputs (`latest`: the last version) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pools with their GPU usage and oldest wait (a data scientist sees their group’s) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Create a pool of one GPU type */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        gpuType: string;
                        maxWaitSeconds?: number | null;
                        name: string;
                        /** @enum {string} */
                        placement?: "node" | "count";
                        /** @enum {string} */
                        policy?: "fifo" | "sjf" | "first-fit" | "backfill";
                        poolId: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A pool’s GPU usage: total, used, free, shared; queued and the oldest wait */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a pool: its devices return to the Default Pool */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a pool’s settings: policy, placement, maximum wait */
        patch: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        maxWaitSeconds?: number | null;
                        /** @enum {string} */
                        placement?: "node" | "count";
                        /** @enum {string} */
                        policy?: "fifo" | "sjf" | "first-fit" | "backfill";
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/pools/{poolId}/allocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Allocate GPUs from the Default Pool, by count (whole nodes first) or by device ids */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        count?: number;
                        devices?: string[];
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/forecast": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * When will they start? The pool’s waiting jobs with their predicted start and wait (an estimate)
         * @description Jobs run their expected duration, or their kind’s typical one (the median of recently finished jobs), and nothing new arrives. Soonest first, in pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many wait. Jobs the caller may not see keep their place, without saying whose they are.
         */
        get: {
            parameters: {
                query?: {
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the forecast (an estimate) */
                200: {
                    headers: {
                        /** @description how many jobs, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description always true: a prediction, not a promise
                             * @enum {boolean}
                             */
                            estimate: true;
                            /** @description the latest time it looks at (epoch seconds) */
                            horizon: number;
                            /** @description The pool’s waiting jobs, soonest predicted start first (never within the horizon last) */
                            jobs: {
                                gpus?: number;
                                /** @description a job the caller may not see: its place and size only */
                                hidden?: boolean;
                                job?: {
                                    expectedDuration: number | null;
                                    gpus: number;
                                    group: string;
                                    id: string;
                                    kind: string;
                                    name: string;
                                    owner: string;
                                    submittedAt: number;
                                };
                                /** @description predicted start (epoch seconds); null: not within the horizon */
                                startAt: number | null;
                                /** @description from now to that start */
                                waitSeconds: number | null;
                            }[];
                            /** @description the time the forecast starts from (epoch seconds) */
                            now: number;
                            poolId: string;
                            /** @description the cluster revision it was made from */
                            revision: number;
                            /** @description The duration assumed for jobs of each kind that expect none of their own */
                            typicalDurations: {
                                kind: string;
                                /** @description finished jobs the median is of (the most recent, at most 1,000) */
                                samples: number;
                                seconds: number;
                                /**
                                 * @description default: no job of the kind has finished yet
                                 * @enum {string}
                                 */
                                source: "median" | "default";
                            }[];
                        };
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the event store did not take the command, or the server is shutting down */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The pool’s waiting jobs in the order the scheduler considers them, each with why it waits
         * @description In pages: `limit` (default 100, at most 1000) entries from `offset`; `X-Total-Count` says how many wait. `position` counts from 0 at the head of the queue.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The pool’s GPU use and queue length over time, sampled as they change since this server started
         * @description Columns of samples, oldest first: `at` (seconds), `revision`, `total`, `used`, `queued`; at most one a second and 1,440 per pool, the oldest dropped first. `since` (epoch seconds) leaves out older samples. `from` is when this server began sampling, `now` the time of the answer.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description epoch seconds: only samples from then */
                    since?: string;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{toPoolId}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move devices into this pool from any pool (busy ones keep serving their job) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    toPoolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        devices: string[];
                        fromPoolId?: string;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recurring-runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List recurring runs, oldest first
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. `experiment` and `pipeline` are names in the group looked in (`group`, else yours) or whole ids.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    experiment?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    pipeline?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a recurring run: a pipeline run on a cron or periodic schedule, in its owner’s group
         * @description `version`: a version’s name, pinned; absent or null, the latest version each time it fires. Times are seconds since the epoch. `enabled` (default true). An operator may name the `owner`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @default true */
                        enabled?: boolean;
                        experiment?: string;
                        name: string;
                        owner?: string;
                        parameters?: {
                            [key: string]: unknown;
                        };
                        pipeline: string;
                        schedule: {
                            /**
                             * @default all
                             * @enum {string}
                             */
                            catchUp?: "all" | "latest" | "none";
                            /** @description seconds since the epoch: no fire after it */
                            endTime?: number | null;
                            /** @default 1 */
                            maxConcurrency?: number;
                            /** @description seconds since the epoch: no fire at or before it */
                            startTime?: number | null;
                            /** @description `{ kind: 'cron', expression, timeZone? }` (5 fields, or 6 with seconds; an IANA time zone, default UTC) or `{ kind: 'periodic', intervalSeconds }` */
                            trigger: {
                                [key: string]: unknown;
                            };
                        };
                        simulation?: {
                            [key: string]: unknown;
                        };
                        version?: string | null;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recurring-runs/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A recurring run: its settings, its version, its next fire time and its runs */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Edit a recurring run: a new version of its settings (its owner or an operator)
         * @description Any of `pipeline`, `version` (null: the latest at each fire), `experiment` (null: none), `parameters`, `schedule`, `simulation`. A new pipeline without a `version` runs its latest. A new schedule does not backfill the time before the edit.
         */
        patch: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        experiment?: string | null;
                        parameters?: {
                            [key: string]: unknown;
                        };
                        pipeline?: string;
                        schedule?: {
                            /**
                             * @default all
                             * @enum {string}
                             */
                            catchUp?: "all" | "latest" | "none";
                            /** @description seconds since the epoch: no fire after it */
                            endTime?: number | null;
                            /** @default 1 */
                            maxConcurrency?: number;
                            /** @description seconds since the epoch: no fire at or before it */
                            startTime?: number | null;
                            /** @description `{ kind: 'cron', expression, timeZone? }` (5 fields, or 6 with seconds; an IANA time zone, default UTC) or `{ kind: 'periodic', intervalSeconds }` */
                            trigger: {
                                [key: string]: unknown;
                            };
                        };
                        simulation?: {
                            [key: string]: unknown;
                        } | null;
                        version?: string | null;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/recurring-runs/{name}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable a recurring run: it fires no more until enabled (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recurring-runs/{name}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable a recurring run: it fires from now on, never backfilling the time it was disabled (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recurring-runs/{name}/trigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a run of a recurring run now, beside its schedule (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tuning/experiments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List experiments, oldest first (a data scientist sees their group’s, an operator every group’s), without their trials
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. `tag` is a label of the document’s `metadata.labels`: `key` or `key=value`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    /** @description a comma-separated list of Running, Stopping, Succeeded, Failed, Stopped */
                    status?: string;
                    /** @description a label: `key` or `key=value` */
                    tag?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create an experiment from a Katib Experiment (YAML or JSON), in its owner’s group
         * @description The body is a Katib `kubeflow.org/v1beta1` Experiment, as JSON or YAML (`application/yaml`, `application/x-yaml`, `text/yaml`). Every issue is answered at once, each with its path (`body.spec.parameters[0].feasibleSpace.min`). Its id is `<group>/<metadata.name>`, the group its owner’s; a data scientist creates as themselves, an operator may name the `owner`. `seed` seeds its algorithm (default: one derived from its id).
         */
        post: {
            parameters: {
                query?: {
                    /** @description whose experiment it is (an operator may name another user) */
                    owner?: string;
                    /** @description an integer >= 0 its algorithm draws from (default: derived from its id) */
                    seed?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        apiVersion: "kubeflow.org/v1beta1";
                        /** @enum {string} */
                        kind: "Experiment";
                        metadata: {
                            annotations?: {
                                [key: string]: string;
                            };
                            /** @description its tags */
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description the experiment’s name in its group */
                            name: string;
                            namespace?: string;
                        };
                        spec: {
                            [key: string]: unknown;
                        };
                    };
                    "application/yaml": string;
                };
            };
            responses: {
                /** @description created: the experiment, as a read would answer it, and the document’s warnings */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tuning/experiments/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An experiment with its counters, its status, its optimal trial and its trials
         * @description Named by its name in your group, `?group=` for another, or its whole id `<group>/<name>` URL-encoded.
         */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Edit an experiment’s counts: parallelTrialCount, maxTrialCount, maxFailedTrialCount (its owner or an operator)
         * @description Only the three counts may change, as in Katib; any other field is refused by name. `null` lifts a maximum. A running experiment whose new budget is spent ends at once.
         */
        patch: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        maxFailedTrialCount?: number | null;
                        maxTrialCount?: number | null;
                        parallelTrialCount?: number;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/tuning/experiments/{name}/register-model": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record the optimal trial's product as the next version of a model of the experiment's group (its owner or an operator)
         * @description The version carries the trial’s metrics and its lineage: the trial’s job, its hyperparameters (the trial’s assignment), its image and pinned inputs. `model`: the model’s name in the experiment’s group.
         */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description the model, by its name */
                        model: string;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tuning/experiments/{name}/restart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run an ended experiment again, when its resumePolicy is not Never and its budget allows (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tuning/experiments/{name}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop an experiment: no trial starts; its running trials are stopped, or finish (its owner or an operator)
         * @description `trials`: `stop` (the default) stops its running trials’ jobs; `finish` lets them end. It is Stopping until none runs, then Stopped.
         */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description what its running trials do
                         * @default stop
                         * @enum {string}
                         */
                        trials?: "finish" | "stop";
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the Idempotency-Key was used for another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Onboard a user (into the default group unless told otherwise) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        groupId?: string;
                        name: string;
                        /** @enum {string} */
                        role: "operator" | "data-scientist";
                        userId: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                };
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove a user (their tokens stop working); refused while they have unfinished jobs unless stopJobs */
        delete: {
            parameters: {
                query?: {
                    stopJobs?: "true" | "false";
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{userId}/group": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Move a user to another group */
        put: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        groupId: string;
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{userId}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user’s live tokens (ids only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Issue an API token for a user: shown once, only its hash is kept */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        label?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{userId}/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tokenId: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workspaces": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List workspaces, oldest first (a data scientist sees their group’s, an operator every group’s)
         * @description In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. Archived ones are listed only with `archived=true`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description list the archived instead */
                    archived?: "true" | "false";
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description an operator’s list of one group (a data scientist’s is their own) */
                    group?: string;
                    /** @description how many (default 100, at most 1000) */
                    limit?: string;
                    /** @description how many to skip (default 0) */
                    offset?: string;
                    owner?: string;
                    tag?: string;
                    /** @description mine: yours; shared: your group’s of others; all: both */
                    visibility?: "mine" | "shared" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        /** @description how many there are, in all pages */
                        "x-total-count"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a workspace in your group (an operator may name the group and the owner)
         * @description A source names its credentials (`credentials`), never carries them: a URL with a user and password is refused. `name` is unique in the group.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credentials?: string;
                        description?: string;
                        group?: string;
                        name: string;
                        owner?: string;
                        private?: boolean;
                        source?: {
                            /** @enum {unknown} */
                            kind: "git";
                            path?: string;
                            ref?: string;
                            url: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "object";
                            uri: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "http";
                            url: string;
                        } | {
                            /** @enum {unknown} */
                            kind: "volume";
                            path: string;
                        };
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workspaces/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A workspace with its versions and their lineage (archived ones too) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a workspace nothing was made from (its owner or an operator); 409 in-use otherwise: archive it */
        delete: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Describe a workspace: description, tags, private (its owner or an operator) */
        patch: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        private?: boolean;
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/workspaces/{name}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive a workspace: gone from lists and from new work, its versions still read (its owner or an operator) */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description done: the changed resource, as a read would answer it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workspaces/{name}/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A workspace's versions side by side by their metrics: one row per metric, a value per version (null where a version has none) */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                    /** @description comma-separated version numbers (default: all) */
                    versions?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workspaces/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record a version of a workspace: what it pins, where it is, the metrics and lineage of the job that made it
         * @description Anyone who may see the asset records versions of it, as themselves (`by`; an operator may name another user). A lineage names versions `{ assetId, version }`, by the asset’s id or its name alone (looked up in this asset’s group); they must be in this group, visible to `by`.
         */
        post: {
            parameters: {
                query?: {
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: {
                    /** @description a key of your choosing: a retried request with the same key is answered once, appending nothing more */
                    "idempotency-key"?: string;
                };
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        by?: string;
                        lineage?: {
                            datasets?: {
                                assetId: string;
                                version: number;
                            }[];
                            hyperparameters?: {
                                [key: string]: unknown;
                            };
                            /** @description a relative path inside the workspace */
                            hyperparametersFile?: string;
                            image?: string;
                            job?: string;
                            model?: {
                                assetId: string;
                                version: number;
                            };
                            workspace?: {
                                assetId: string;
                                version: number;
                            };
                        };
                        metrics?: {
                            [key: string]: number;
                        };
                        pin?: {
                            commit?: string;
                            contentHash?: string;
                            etag?: string;
                            objectVersion?: string;
                        };
                        uri?: string;
                    };
                };
            };
            responses: {
                /** @description created: what was created, as a read would answer it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the caller’s role may not do this */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the body is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workspaces/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version of a workspace: what it pins, where it is, its metrics and lineage */
        get: {
            parameters: {
                query?: {
                    /** @description read the state right after this event revision (-1: before any) */
                    asOf?: string;
                    /** @description read the state as of this time (RFC 3339, or epoch seconds) */
                    asOfTime?: string;
                    /** @description the group the name is looked up in (default: yours) */
                    group?: string;
                };
                header?: never;
                path: {
                    name: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description what was asked for */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description input that does not decode: the problem names each field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no token, or a token that is not valid */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description no such resource, or one the caller may not see */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
                /** @description the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the process answers */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (public: no metrics token is set) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the metrics, in the Prometheus text format */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the state is loaded and the event store answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            revision?: number;
                            status?: string;
                        };
                    };
                };
                /** @description shutting down, or the event store does not answer */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Problem
         * @description RFC 9457 problem details
         */
        "def-0": {
            /** @description stable, for programs */
            code?: string;
            /** @description for people */
            detail?: string;
            details?: {
                [key: string]: unknown;
            };
            errors?: {
                actual?: string;
                expected?: string;
                /** @description what is wrong, in a sentence of its own, where a fault is not a value of the wrong kind (a pipeline file: the parser says what is wrong there, and expected repeats it) */
                message?: string;
                path?: string;
            }[];
            status?: number;
            title?: string;
            type?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
