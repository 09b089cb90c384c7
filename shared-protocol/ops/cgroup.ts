/** cgroup.* ops — schemas, results, error codes and the state slice rootd keeps. (Being written.) */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';

export const CGROUP_ERRORS = defineErrors({});

export const CGROUP_OPS = [] as const;

/** The part of rootd's state file that this family owns. */
export const CgroupState = Type.Object({}, { additionalProperties: false });
export type CgroupState = Static<typeof CgroupState>;
export const emptyCgroupState = (): CgroupState => ({});
