/**
 * The upload contract shared by the bundle creator (cli/bundle) and the
 * extractor (server/deploy/upload.ts): limits, entry-name rules, the planner
 * both run, and the error codes. Pure, no I/O.
 */
export * from './errors.ts';
export * from './limits.ts';
export * from './names.ts';
export * from './plan.ts';
