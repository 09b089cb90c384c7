/** The defaults layer: what an app gets with neither hop3.toml nor a Procfile entry. */
import type { AppConfig } from './model.ts';

export function defaultAppConfig(): AppConfig {
  return {
    metadata: { id: null, version: null, title: null, description: null, extra: {} },
    build: { builder: 'auto', toolchain: null, build: null, beforeBuild: null, test: null, packages: [], pipInstall: [], ignore: [] },
    run: { start: null, beforeRun: null, packages: [], startTimeout: null, workers: {} },
    env: { policy: 'keep', vars: {}, computed: {} },
    domains: null,
    endpoints: [],
    ports: [],
    volumes: [],
    limits: null,
    healthcheck: null,
    backup: null,
    addons: [],
    test: null,
    nix: null,
  };
}
