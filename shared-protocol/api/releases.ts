/**
 * /v1/apps/:app/releases and /rollback. Every deploy attempt is a release
 * (numbered per app from 1); a rollback starts a kept release again from its
 * tree and stored env, without a rebuild, and is followed like a deploy.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AppParams } from './common.ts';
import { DeployAccepted, DeployStep, ErrorInfoView } from './deploys.ts';
import { defineRoute, NoQuery, Timestamp } from './define.ts';

export const ReleaseStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('building'),
  Type.Literal('starting'),
  Type.Literal('live'),
  Type.Literal('superseded'),
  Type.Literal('failed'),
]);
export type ReleaseStatus = Static<typeof ReleaseStatus>;

export const StepRecord = Type.Object(
  {
    step: DeployStep,
    duration_ms: Type.Integer({ minimum: 0 }),
    outcome: Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')]),
  },
  { additionalProperties: false },
);
export type StepRecord = Static<typeof StepRecord>;

export const ReleaseView = Type.Object(
  {
    number: Type.Integer({ minimum: 1 }),
    status: ReleaseStatus,
    /** True for the release serving traffic (or that would, for a stopped app). */
    current: Type.Boolean(),
    /** Its tree is still on disk and it once went live: `hop3 rollback <number>` can bring it back. */
    rollback_available: Type.Boolean(),
    created_at: Timestamp,
    finished_at: Type.Union([Timestamp, Type.Null()]),
    created_by: Type.Union([Type.String(), Type.Null()]),
    /** static, node, python, go, generic */
    builder: Type.Union([Type.String(), Type.Null()]),
    /** SHA-256 hex of the normalized app config */
    config_hash: Type.Union([Type.String(), Type.Null()]),
    /** SHA-256 hex of the uploaded tar.gz */
    source_sha256: Type.Union([Type.String(), Type.Null()]),
    /** Names of the env vars the release runs with (never values). */
    env_keys: Type.Array(Type.String()),
    /** Process types and counts, e.g. {"web":1,"worker":1}; {} for a static site. */
    processes: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    build_ms: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    deploy_ms: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    steps: Type.Array(StepRecord),
    error: Type.Union([ErrorInfoView, Type.Null()]),
  },
  { additionalProperties: false },
);
export type ReleaseView = Static<typeof ReleaseView>;

export const ReleaseList = Type.Object(
  { app: Type.String(), releases: Type.Array(ReleaseView) },
  { additionalProperties: false },
);
export type ReleaseList = Static<typeof ReleaseList>;

export const RollbackBody = Type.Object(
  {
    /** Release number to bring back; default: the newest superseded release that can be rolled back to. */
    release: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type RollbackBody = Static<typeof RollbackBody>;

export const RELEASE_ROUTES = [
  defineRoute({
    name: 'releases.list',
    method: 'GET',
    path: '/v1/apps/:app/releases',
    summary: 'Every release of the app, newest first: status, steps with durations, builder, config hash, env names, error.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: undefined,
    response: ReleaseList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
  defineRoute({
    name: 'releases.rollback',
    method: 'POST',
    path: '/v1/apps/:app/rollback',
    summary:
      'Start a kept release again (default: the previous live one) from its tree and stored env, health-check it, switch traffic, stop the current one. ' +
      'Answers 202 with a deploy to follow at GET .../deploys/:id/events; a failure leaves the current release serving.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: RollbackBody,
    response: DeployAccepted,
    status: 202,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_RELEASE_NOT_FOUND', 'E_RELEASE_UNAVAILABLE', 'E_DEPLOY_IN_PROGRESS'],
  }),
] as const;
