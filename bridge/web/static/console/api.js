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
  history: (conversationId) => request("GET", `/api/staff/conversations/${enc(conversationId)}/history`),
  addNote: (conversationId, text) => request("POST", `/api/staff/conversations/${enc(conversationId)}/notes`, { body: { text } }),
  searchKb: (q, lang, signal) => request("GET", `/api/staff/kb/search?q=${enc(q)}&lang=${enc(lang)}`, { signal }),
  offlineRequests: () => request("GET", "/api/staff/offline-requests"),
  missedChats: () => request("GET", "/api/staff/missed-chats"),
  missedChatHandled: (handoffId) => request("POST", `/api/staff/missed-chats/${enc(handoffId)}/handled`),
  onlineAgents: () => request("GET", "/api/staff/agents/online"),
  transfers: () => request("GET", "/api/staff/transfers"),
  transfer: (handoffId, toAgentId, note) => request("POST", `/api/staff/handoffs/${enc(handoffId)}/transfer`, { body: { to_agent_id: toAgentId, note } }),
  decideTransfer: (transferId, action) => request("POST", `/api/staff/transfers/${enc(transferId)}/${enc(action)}`),
  savedReplies: () => request("GET", "/api/staff/saved-replies"),
  createSavedReply: (reply) => request("POST", "/api/staff/saved-replies", { body: reply }),
  updateSavedReply: (id, change) => request("PUT", `/api/staff/saved-replies/${enc(id)}`, { body: change }),
  deleteSavedReply: (id, version) => request("DELETE", `/api/staff/saved-replies/${enc(id)}?version=${enc(version)}`),
  logout: () => request("POST", "/api/staff/logout"),
};
