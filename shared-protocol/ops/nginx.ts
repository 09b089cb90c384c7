/** nginx.* ops — schemas, results, error codes and the state slice rootd keeps. (Being written.) */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';

export const NGINX_ERRORS = defineErrors({});

export const NGINX_OPS = [] as const;

/** The part of rootd's state file that this family owns. */
export const NginxState = Type.Object({}, { additionalProperties: false });
export type NginxState = Static<typeof NginxState>;
export const emptyNginxState = (): NginxState => ({});
