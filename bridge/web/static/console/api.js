/**
 * The console's endpoints of the bridge's staff REST API (see the console contract), one
 * function each; /staff/request.js sends them (cookies, CSRF header, 401 → sign-in).
 */
import { request } from "/staff/request.js";

export const LOGIN_URL = "/login?next=/console";

const enc = encodeURIComponent;

/** The contract's endpoints, one function each, so no module builds URLs by hand. */
export const api = {
  setPresence: (status) => request("PUT", "/api/staff/presence", { body: { status } }),
  heartbeat: () => request("POST", "/api/staff/heartbeat"),
  queue: () => request("GET", "/api/staff/queue"),
  claim: (handoffId) => request("POST", `/api/staff/handoffs/${enc(handoffId)}/claim`),
  handBack: (handoffId) => request("POST", `/api/staff/handoffs/${enc(handoffId)}/hand-back`),
  close: (handoffId) => request("POST", `/api/staff/handoffs/${enc(handoffId)}/close`),
  conversation: (conversationId) => request("GET", `/api/staff/conversations/${enc(conversationId)}`),
  addNote: (conversationId, text) => request("POST", `/api/staff/conversations/${enc(conversationId)}/notes`, { body: { text } }),
  searchKb: (q, lang, signal) => request("GET", `/api/staff/kb/search?q=${enc(q)}&lang=${enc(lang)}`, { signal }),
  offlineRequests: () => request("GET", "/api/staff/offline-requests"),
  logout: () => request("POST", "/api/staff/logout"),
};
