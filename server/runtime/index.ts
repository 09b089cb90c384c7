/** Public surface of the app runtime (uWSGI vassals, ports, process supervision). */
export { RUNTIME_ERRORS, type RuntimeErrorCode } from './errors.ts';
export { systemClock, type Clock } from './clock.ts';
export { APP_RE, RELEASE_RE, PROCESS_TYPE_RE, parseVassalFileName, processLabel, vassalFileName, vassalStem, type VassalId } from './names.ts';
export { renderVassal, readVassalMeta, type RenderedVassal, type VassalMeta, type VassalSpec } from './vassal.ts';
export { VassalStore, type StoredVassal } from './vassal-store.ts';
export { DEFAULT_APP_ENV, emperorArgv, startLocalEmperor, systemEmperor, type EmperorLink, type EmperorOptions, type LocalEmperor } from './emperor.ts';
export { appLogDir, logFileOf, pidFileOf, type RuntimeLayout } from './layout.ts';
export { canBind, DEFAULT_PORT_RANGE, PortAllocator, type PortRange } from './ports.ts';
export { probe, waitHealthy, type HealthOptions, type HealthResult } from './health.ts';
export { ProcessManager, WEB, type ProcessDef, type ProcessManagerDeps, type ReleaseSpec } from './processes.ts';
export type { ReadyOptions, ReadyResult, StartedProcess } from './ready.ts';
export type { ProcessState, ProcessStatus } from './process-table.ts';
export { runOneOff, type OneOffOptions, type OneOffResult } from './oneoff.ts';
