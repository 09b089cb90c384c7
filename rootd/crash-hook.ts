/**
 * TEST-ONLY crash hook for the crash-consistency tests:
 * HOP3_ROOTD_TEST_CRASH_AT=<step>[:<n>] makes rootd SIGKILL itself when the
 * n-th state write (default 1) reaches <step> (one of WRITE_STEPS). Setting
 * the variable needs control of root's environment, which already means
 * control of rootd, so the hook grants nothing; production units never set it.
 */
import { Hop3Error } from '../shared-protocol/errors.ts';
import { WRITE_STEPS, type WriteStep } from './state.ts';

export interface CrashSpec {
  readonly step: WriteStep;
  readonly n: number;
}

export function parseCrashSpec(value: string): CrashSpec {
  const m = /^([a-z-]+)(?::(\d{1,6}))?$/.exec(value);
  const step = m?.[1];
  const n = m?.[2] === undefined ? 1 : Number(m[2]);
  if (!m || !(WRITE_STEPS as readonly string[]).includes(step ?? '') || n < 1) {
    throw new Hop3Error('E_CONFIG_INVALID', `HOP3_ROOTD_TEST_CRASH_AT=${JSON.stringify(value)} is not <step>[:<n>]`, {
      hint: `Steps: ${WRITE_STEPS.join(', ')}; n is the 1-based index of the state write.`,
    });
  }
  return { step: step as WriteStep, n };
}

/** A write-step callback that counts writes (each starts with 'before-tmp') and kills at the chosen one. */
export function crashAt(spec: CrashSpec, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): (step: WriteStep) => void {
  let write = 0;
  return (step) => {
    if (step === 'before-tmp') write++;
    if (write === spec.n && step === spec.step) kill();
  };
}

export function crashHookFromEnv(value: string | undefined): ((step: WriteStep) => void) | undefined {
  if (value === undefined || value === '') return undefined;
  return crashAt(parseCrashSpec(value));
}
