/*
 * peercred: the one native function hop3-rootd needs. Node has no API for
 * SO_PEERCRED, so this N-API addon exposes
 *
 *     peercred(fd: number) -> { uid, gid, pid }
 *
 * for a connected AF_UNIX stream socket. The kernel fills struct ucred with
 * the credentials the peer had when it called connect(2); the peer cannot
 * forge them. Any failure (bad fd, not a socket, not AF_UNIX) throws a JS
 * Error whose code is the errno name, so rootd refuses the connection.
 *
 * Only <node_api.h> (the stable C ABI) is used: no node-addon-api, no V8.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int err) {
  const char *code = err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : err == ENOPROTOOPT ? "ENOPROTOOPT" : err == EINVAL ? "EINVAL" : "EPEERCRED";
  napi_throw_error(env, code, strerror(err));
  return NULL;
}

static int set_int(napi_env env, napi_value obj, const char *key, int64_t v) {
  napi_value n;
  if (napi_create_int64(env, v, &n) != napi_ok) return 0;
  return napi_set_named_property(env, obj, key, n) == napi_ok;
}

static napi_value peercred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, "EINVAL", "peercred(fd) needs one argument");
    return NULL;
  }
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok || t != napi_number) {
    napi_throw_type_error(env, "EINVAL", "peercred(fd): fd must be a number");
    return NULL;
  }
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "EINVAL", "peercred(fd): fd must be a non-negative integer");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof(cred);
  memset(&cred, 0, sizeof(cred));
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, errno);
  if (len != sizeof(cred)) return throw_errno(env, EINVAL);
  napi_value out;
  if (napi_create_object(env, &out) != napi_ok) return NULL;
  if (!set_int(env, out, "uid", (int64_t)cred.uid) || !set_int(env, out, "gid", (int64_t)cred.gid) ||
      !set_int(env, out, "pid", (int64_t)cred.pid))
    return NULL;
  return out;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "peercred", NAPI_AUTO_LENGTH, peercred, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "peercred", fn) != napi_ok) return NULL;
  return exports;
}
