import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvConfig } from '../../shared-protocol/config/env-model.ts';
import { ENV_ERRORS, resolveEnv, type AddonFact, type AppFacts } from '../../shared-protocol/config/resolve-env.ts';
import { APP, PG, REDIS, assertCode, cfg } from './resolve-env-helpers.ts';

interface Case {
  readonly name: string;
  readonly code: keyof typeof ENV_ERRORS;
  readonly config: EnvConfig;
  readonly addons?: readonly AddonFact[];
  readonly app?: AppFacts;
  /** Substrings the message must contain (e.g. the listed alternatives). */
  readonly mentions?: readonly string[];
}

const ip = (address: string, origin: 'operator' | 'detected' = 'detected'): AppFacts =>
  ({ ...APP, externalIp: { v4: { address, origin }, v6: { address, origin } } });
const ext4 = cfg({ PUBLIC_IP: { kind: 'external_ip', family: 'v4' } });
const ext6 = cfg({ PUBLIC_IP: { kind: 'external_ip', family: 'v6' } });

const cases: Case[] = [
  { name: 'a reference to an addon that is not attached lists the attached ones', code: 'E_ENV_REF_UNKNOWN_ADDON',
    config: cfg({ X: { kind: 'ref', from: 'other-db', key: 'PGHOST' } }), addons: [PG, REDIS], mentions: ['other-db', 'cache, myapp-db'] },
  { name: 'a reference to an addon when none is attached says so', code: 'E_ENV_REF_UNKNOWN_ADDON',
    config: cfg({ X: { kind: 'ref', from: 'db', key: 'PGHOST' } }), mentions: ['no addon is attached'] },
  { name: 'a reference to a variable the addon does not inject lists the available keys', code: 'E_ENV_REF_UNKNOWN_KEY',
    config: cfg({ X: { kind: 'ref', from: 'myapp-db', key: 'PG_HOST' } }), addons: [PG],
    mentions: ['PG_HOST', 'DATABASE_URL, PGDATABASE, PGHOST, PGPASSWORD, PGPORT, PGUSER'] },
  { name: 'an unknown app fact lists the app facts', code: 'E_ENV_REF_UNKNOWN_FACT',
    config: cfg({ X: { kind: 'ref', key: 'ip' } }), mentions: ['domain, hostname, name'] },
  { name: 'a domain reference on an app without hostname', code: 'E_ENV_REF_NO_HOSTNAME',
    config: cfg({ X: { kind: 'ref', key: 'domain' } }), app: { name: 'x' } },
  { name: 'a domain reference when the only hostname is the catch-all "_"', code: 'E_ENV_REF_NO_HOSTNAME',
    config: cfg({ X: { kind: 'ref', key: 'hostname' } }), app: { name: 'x', hostnames: ['_'] } },
  { name: 'external_ip with no known address', code: 'E_ENV_EXTERNAL_IP_UNKNOWN', config: ext4, mentions: ['IPv4'] },
  { name: 'external_ip v6 with only a v4 fact', code: 'E_ENV_EXTERNAL_IP_UNKNOWN', config: ext6,
    app: { ...APP, externalIp: { v4: { address: '9.9.9.9', origin: 'operator' } } } },
  { name: 'external_ip v4 given a v6 address', code: 'E_ENV_EXTERNAL_IP_INVALID', config: ext4, app: ip('2a01:4f8::1') },
  { name: 'external_ip v4 given garbage', code: 'E_ENV_EXTERNAL_IP_INVALID', config: ext4, app: ip('1.2.3.256') },
  { name: 'external_ip given a private RFC 1918 address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext4, app: ip('192.168.1.10'), mentions: ['private'] },
  { name: 'external_ip given a loopback address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext4, app: ip('127.0.0.1'), mentions: ['loopback'] },
  { name: 'external_ip given a link-local address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext4, app: ip('169.254.1.1'), mentions: ['link-local'] },
  { name: 'external_ip given the unspecified address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext4, app: ip('0.0.0.0'), mentions: ['unspecified'] },
  { name: 'external_ip given a CGNAT address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext4, app: ip('100.64.0.1') },
  { name: 'external_ip given a TEST-NET address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext4, app: ip('192.0.2.2') },
  { name: 'external_ip given the IPv6 loopback', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext6, app: ip('::1') },
  { name: 'external_ip given an IPv6 link-local address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext6, app: ip('fe80::1') },
  { name: 'external_ip given an IPv6 unique local address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext6, app: ip('fd12:3456::1') },
  { name: 'external_ip given the IPv6 unspecified address', code: 'E_ENV_EXTERNAL_IP_PRIVATE', config: ext6, app: ip('::') },
  { name: 'an unknown generator', code: 'E_ENV_GENERATE_UNKNOWN',
    config: cfg({ K: { kind: 'generate', generate: 'random' as 'hex', display: false } }), mentions: ['random'] },
  { name: 'a generate length of zero', code: 'E_ENV_GENERATE_LENGTH', config: cfg({ K: { kind: 'generate', generate: 'hex', length: 0, display: false } }) },
  { name: 'a fractional generate length', code: 'E_ENV_GENERATE_LENGTH', config: cfg({ K: { kind: 'generate', generate: 'password', length: 2.5, display: false } }) },
  { name: 'a huge generate length', code: 'E_ENV_GENERATE_LENGTH', config: cfg({ K: { kind: 'generate', generate: 'base64', length: 1e6, display: false } }) },
  { name: 'a computed value naming an undefined variable, with a suggestion', code: 'E_ENV_COMPUTED_UNKNOWN_VAR',
    config: cfg({}, { URL: 'http://${PGHOTS}' }), addons: [PG], mentions: ['PGHOTS', 'Did you mean ${PGHOST}'] },
  { name: 'a computed value referencing itself', code: 'E_ENV_COMPUTED_CYCLE', config: cfg({}, { PATH: '${PATH}:/x' }), mentions: ['PATH -> PATH'] },
  { name: 'computed values referencing each other in a cycle', code: 'E_ENV_COMPUTED_CYCLE',
    config: cfg({}, { A: '${B}', B: '${C}', C: '${A}' }), mentions: ['A -> B -> C -> A'] },
  { name: 'an unterminated ${ in a computed value', code: 'E_ENV_COMPUTED_SYNTAX', config: cfg({}, { A: 'x ${B' }) },
  { name: 'an empty ${} in a computed value', code: 'E_ENV_COMPUTED_SYNTAX', config: cfg({}, { A: '${}' }) },
  { name: 'a ${NAME} with a forbidden character', code: 'E_ENV_COMPUTED_SYNTAX', config: cfg({}, { A: '${A-B}' }) },
  { name: 'two attached addons under the same name', code: 'E_ENV_ADDON_DUPLICATE', config: cfg(), addons: [PG, PG] },
];

describe('resolveEnv errors', () => {
  for (const c of cases) {
    it(`fails with ${c.code} on ${c.name}`, () => {
      const err = assertCode(() => resolveEnv(c.config, c.addons ?? [], c.app ?? APP, {}), c.code);
      for (const m of c.mentions ?? []) assert.ok(err.message.includes(m), `message "${err.message}" mentions "${m}"`);
    });
  }

  it('covers every code of the catalog with at least one case', () => {
    const covered = new Set(cases.map((c) => c.code));
    assert.deepEqual(Object.keys(ENV_ERRORS).filter((k) => !covered.has(k as keyof typeof ENV_ERRORS)), []);
  });

  it('never puts a secret value in an error message', () => {
    const secretAddon = { name: 'db', type: 'postgres', vars: { PGPASSWORD: 's3cr3t-value' } };
    const err = assertCode(() => resolveEnv(cfg({ X: { kind: 'ref', from: 'db', key: 'NOPE' } }, { Y: '${PGPASSWORD}${MISSING}' }), [secretAddon], APP, { OLD: 'old-secret' }), 'E_ENV_REF_UNKNOWN_KEY');
    assert.ok(!err.message.includes('s3cr3t') && !JSON.stringify(err.details).includes('s3cr3t'));
    const err2 = assertCode(() => resolveEnv(cfg({}, { Y: '${PGPASSWORD}${MISSING}' }), [secretAddon], APP, { OLD: 'old-secret' }), 'E_ENV_COMPUTED_UNKNOWN_VAR');
    assert.ok(!err2.message.includes('s3cr3t') && !JSON.stringify(err2.details).includes('s3cr3t'));
  });

  it('tells the operator to set HOP3_EXTERNAL_IP when a detected address is private', () => {
    const err = assertCode(() => resolveEnv(ext4, [], ip('10.0.0.5', 'detected'), {}), 'E_ENV_EXTERNAL_IP_PRIVATE');
    assert.match(err.hint ?? '', /set HOP3_EXTERNAL_IP/);
  });

  it('tells the operator their HOP3_EXTERNAL_IP6 is not public when they set a private one', () => {
    const err = assertCode(() => resolveEnv(ext6, [], ip('fd00::5', 'operator'), {}), 'E_ENV_EXTERNAL_IP_PRIVATE');
    assert.match(err.hint ?? '', /HOP3_EXTERNAL_IP6 is set to a non-public address/);
  });

  it('fails on a malformed generate spec even when the key is already set', () => {
    assertCode(() => resolveEnv(cfg({ K: { kind: 'generate', generate: 'hex', length: -1, display: false } }), [], APP, { K: 'x' }), 'E_ENV_GENERATE_LENGTH');
  });

  it('gives every catalog entry a meaning and a hint', () => {
    for (const [code, info] of Object.entries(ENV_ERRORS)) {
      assert.ok(info.meaning.length > 10 && info.hint.length > 10, code);
    }
  });
});
