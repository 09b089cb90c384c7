/** Exit codes: one mapping from server errors, one for deploy phases, and did-you-mean's distance. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, EXIT_DOCS, exitForApiError, exitForDeployError } from '../../cli/exit-codes.ts';
import { editDistance, suggest } from '../../cli/suggest.ts';
import { API_ERRORS } from '../../shared-protocol/api/errors.ts';

const API: Array<[number | undefined, string, number]> = [
  [401, 'E_AUTH_REQUIRED', EXIT.AUTH],
  [401, 'E_AUTH_INVALID', EXIT.AUTH],
  [429, 'E_RATE_LIMITED', EXIT.AUTH],
  [undefined, 'E_NOT_LOGGED_IN', EXIT.AUTH],
  [403, 'E_SOMETHING_FORBIDDEN', EXIT.AUTH],
  [404, 'E_APP_NOT_FOUND', EXIT.NOT_FOUND],
  [404, 'E_DOMAIN_NOT_FOUND', EXIT.NOT_FOUND],
  [404, 'E_ROUTE_NOT_FOUND', EXIT.NOT_FOUND],
  [404, 'E_PROCESS_TYPE_NOT_FOUND', EXIT.NOT_FOUND],
  [409, 'E_APP_EXISTS', EXIT.CONFLICT],
  [409, 'E_DOMAIN_TAKEN', EXIT.CONFLICT],
  [409, 'E_DEPLOY_IN_PROGRESS', EXIT.CONFLICT],
  [409, 'E_RELEASE_UNAVAILABLE', EXIT.CONFLICT],
  [409, 'E_NO_LIVE_RELEASE', EXIT.CONFLICT],
  [400, 'E_INVALID_BODY', EXIT.USAGE],
  [400, 'E_INVALID_HOSTNAME', EXIT.USAGE],
  [400, 'E_CONFIRM_REQUIRED', EXIT.USAGE],
  [413, 'E_PAYLOAD_TOO_LARGE', EXIT.USAGE],
  [415, 'E_UNSUPPORTED_MEDIA_TYPE', EXIT.USAGE],
  [500, 'E_INTERNAL', EXIT.UNEXPECTED],
  [500, 'E_SECRET_UNREADABLE', EXIT.UNEXPECTED],
  [503, 'E_ROOTD_UNAVAILABLE', EXIT.UNEXPECTED],
  [502, 'E_HTTP_502', EXIT.UNEXPECTED],
];
for (const [status, code, exit] of API) {
  test(`a server answer ${status ?? '(none)'} ${code} exits ${exit}`, () => {
    assert.equal(exitForApiError(status, code), exit);
  });
}

test('every API error code maps to a documented exit code', () => {
  for (const code of Object.keys(API_ERRORS)) {
    const exit = exitForApiError(undefined, code);
    assert.ok(exit in EXIT_DOCS, code);
  }
});

const DEPLOY: Array<[string, number, number]> = [
  ['E_UPLOAD_TOO_LARGE', EXIT.USAGE, EXIT.DEPLOY_FAILED],
  ['E_UPLOAD_SYMLINK', EXIT.USAGE, EXIT.DEPLOY_FAILED],
  ['E_BUNDLE_SYMLINK', EXIT.UNEXPECTED, EXIT.DEPLOY_FAILED],
  ['E_UPLOAD_WRITE', EXIT.UNEXPECTED, EXIT.DEPLOY_FAILED],
  ['E_PAYLOAD_TOO_LARGE', EXIT.USAGE, EXIT.DEPLOY_FAILED],
  ['E_AUTH_INVALID', EXIT.AUTH, EXIT.AUTH],
  ['E_DEPLOY_IN_PROGRESS', EXIT.CONFLICT, EXIT.CONFLICT],
  ['E_DEPLOY_NOT_FOUND', EXIT.NOT_FOUND, EXIT.NOT_FOUND],
  ['E_SERVER_UNREACHABLE', EXIT.UNEXPECTED, EXIT.UNEXPECTED],
  ['E_INTERNAL', EXIT.UNEXPECTED, EXIT.UNEXPECTED],
];
for (const [code, before, after] of DEPLOY) {
  test(`during a deploy, ${code} (otherwise exit ${before}) exits ${after}`, () => {
    assert.equal(exitForDeployError(code, before as never), after);
  });
}

const DISTANCES: Array<[string, string, number]> = [
  ['deploy', 'deploy', 0],
  ['dploy', 'deploy', 1],
  ['stauts', 'status', 1],
  ['restrat', 'restart', 1],
  ['', 'abc', 3],
  ['abc', '', 3],
  ['kitten', 'sitting', 3],
];
for (const [a, b, d] of DISTANCES) {
  test(`the edit distance from "${a}" to "${b}" is ${d}`, () => assert.equal(editDistance(a, b), d));
}

test('suggestions are close names, best first, and none for something unrelated', () => {
  assert.deepEqual(suggest('stauts', ['status', 'start', 'stop', 'restart', 'destroy']), ['status', 'start']);
  assert.deepEqual(suggest('rel', ['releases', 'rollback']), ['releases']);
  assert.deepEqual(suggest('xyzzy', ['deploy', 'apps', 'logs']), []);
  assert.deepEqual(suggest('LOGS', ['logs']), ['logs']);
});
