/** mount.* ops — schemas, results, error codes and the state slice rootd keeps. (Being written.) */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';

export const MOUNT_ERRORS = defineErrors({});

export const MOUNT_OPS = [] as const;

/** The part of rootd's state file that this family owns. */
export const MountState = Type.Object({}, { additionalProperties: false });
export type MountState = Static<typeof MountState>;
export const emptyMountState = (): MountState => ({});
