/**
 * The staff pages' calls to the bridge's REST API (the console and the studio). Every call
 * sends the staff session cookie (credentials "same-origin") and, when it changes state, the
 * CSRF token that the bridge set in the readable `sb_csrf` cookie. A 401 from any call means
 * the session is gone: the page goes to the sign-in form, which brings the user back after.
 *
 * Calls never throw. They resolve to {ok, status, body}; status 0 means the network failed,
 * and an aborted call resolves to {ok: false, status: 0, aborted: true}.
 */

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The value of the `sb_csrf` cookie, or "" when there is none. */
function csrfToken() {
  const found = document.cookie.split("; ").find((cookie) => cookie.startsWith("sb_csrf="));
  return found ? found.slice("sb_csrf=".length) : "";
}

/**
 * @typedef {object} ApiResult
 * @property {boolean} ok
 * @property {number} status  HTTP status, 0 when the request did not complete
 * @property {any} body  parsed JSON, or null
 * @property {boolean} [aborted]
 */

/**
 * @param {string} method
 * @param {string} path  same-origin path
 * @param {{body?: object, signal?: AbortSignal}} [options]
 * @returns {Promise<ApiResult>}
 */
export async function request(method, path, { body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (STATE_CHANGING.has(method)) headers["X-CSRF-Token"] = csrfToken();
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    return { ok: false, status: 0, body: null, aborted: error?.name === "AbortError" };
  }
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    // Never settles: the page is going away, and callers should not flash an error meanwhile.
    return new Promise(() => {});
  }
  let parsed = null;
  if (response.status !== 204) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null; // an empty or non-JSON body (a proxy's error page)
    }
  }
  return { ok: response.ok, status: response.status, body: parsed };
}
