/**
 * The websocket to the bridge: connecting, the outbox of unconfirmed messages, heartbeats and
 * reconnecting with backoff.
 *
 * Delivery is at-least-once from here and exactly-once overall: a customer message stays in
 * the outbox until the server echoes its client_id (see transcript.js), is sent again on every
 * new socket until then, and the server de-duplicates by client_id. What the server sends is
 * handed to the `handlers` given at construction, so this module knows the protocol but not
 * the UI.
 */

import { wantsConnection } from "./state.js";

const PING_INTERVAL_MS = 25000;
/** Two missed pongs and some slack: the socket is half-open. */
const SILENCE_LIMIT_MS = 2 * PING_INTERVAL_MS + 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
const AUTH_CLOSE_CODES = new Set([4401, 4403, 4404]);
/** The chat is open in too many tabs: wait for the customer (send, open) instead of retrying. */
const TOO_MANY_SOCKETS_CLOSE_CODE = 4429;
const AUTH_ERROR_CODES = new Set(["invalid_token", "forbidden", "not_found"]);
// Errors that mean "the message you just sent was refused": it must not be re-sent on reconnect.
const REJECTION_CODES = new Set(["empty_message", "message_too_long", "rate_limited"]);

/**
 * @typedef {object} ConnectionHandlers
 * @property {() => Promise<import("./storage.js").Conversation>} conversation
 *   the conversation to connect to, created if there is none yet
 * @property {(data: object) => void} message  a transcript entry ("message" or "buttons" event)
 * @property {(role: "bot"|"agent", on: boolean) => void} typing
 * @property {(status: string) => void} status
 * @property {(text: ?string) => void} error  an error to show: the server's text, or null for none
 * @property {(text: string) => void} notice  something to tell the customer (e.g. data was hidden)
 * @property {() => void} authFailed  the conversation or its token is no longer accepted
 * @property {() => void} closed  the socket went away (typing state is void now)
 * @property {() => void} changed  connection state changed; re-render the status line
 */

/**
 * @param {object} options
 * @param {import("./config.js").Config} options.config
 * @param {object} options.state  the shared state (state.js)
 * @param {ConnectionHandlers} options.handlers
 */
export function createConnection({ config, state, handlers }) {
  function socketUrl(conversation) {
    const url = new URL(`${config.bridgeBase}/ws/chat/${encodeURIComponent(conversation.conversation_id)}`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", conversation.token);
    url.searchParams.set("after", String(state.lastSeq));
    return url.toString();
  }

  /** Sends a control event if the socket is up; typing and pings are worthless later, so they are not queued. */
  function sendEvent(event) {
    if (!state.connected || !state.socket) return false;
    try {
      state.socket.send(JSON.stringify(event));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sends every queued message not yet sent on this socket. Entries stay queued until the
   * server echoes their client_id, so a message lost with a dying socket is sent again
   * (the server de-duplicates by client_id).
   */
  function flushOutbox() {
    if (!state.connected) return;
    for (const entry of state.outbox) {
      if (entry.socket === state.socket) continue;
      if (sendEvent(entry.event)) entry.socket = state.socket;
    }
  }

  /**
   * Opens the socket for the current (or a new) conversation. Waits for a pending restore so
   * that a stored conversation found to be dead is replaced rather than reused.
   */
  async function connect() {
    if (state.socket || state.connecting || !wantsConnection(state)) return;
    state.connecting = true;
    try {
      if (state.restoring) await state.restoring;
      // The restore may have found the stored conversation dead; don't create one unasked.
      if (!wantsConnection(state)) return;
      const conversation = await handlers.conversation();
      openSocket(conversation);
    } catch {
      scheduleReconnect();
    } finally {
      state.connecting = false;
    }
  }

  function openSocket(conversation) {
    const socket = new WebSocket(socketUrl(conversation));
    state.socket = socket;
    socket.addEventListener("open", () => onSocketOpen(socket));
    socket.addEventListener("message", (event) => onSocketMessage(socket, event));
    socket.addEventListener("close", (event) => onSocketClose(socket, event));
  }

  // Each handler ignores events from a socket that is no longer the current one.
  function onSocketOpen(socket) {
    if (socket !== state.socket) return;
    state.connected = true;
    state.everConnected = true;
    state.attempts = 0;
    state.lastHeardAt = Date.now();
    handlers.changed();
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(heartbeat, PING_INTERVAL_MS);
    flushOutbox();
  }

  /**
   * Pings keep proxies from closing an idle socket. A socket that has heard nothing (not even
   * pongs) for two intervals is half-open; drop it instead of waiting for TCP to notice.
   */
  function heartbeat() {
    if (Date.now() - state.lastHeardAt > SILENCE_LIMIT_MS) {
      closeSocket();
      scheduleReconnect();
      return;
    }
    sendEvent({ type: "ping" });
  }

  function onSocketMessage(socket, event) {
    if (socket !== state.socket) return;
    state.lastHeardAt = Date.now();
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!data || typeof data !== "object") return;
    switch (data.type) {
      case "message":
      case "buttons":
        handlers.message(data);
        break;
      case "typing":
        if (data.role === "bot" || data.role === "agent") handlers.typing(data.role, Boolean(data.on));
        break;
      case "status":
        handlers.status(data.status);
        break;
      case "error":
        onServerError(data);
        break;
      case "notice":
        if (typeof data.message === "string" && data.message.trim()) handlers.notice(data.message);
        break;
      default:
        break; // "pong" and anything newer than this widget
    }
  }

  /** Auth errors are handled on the close that follows them; the rest are shown to the customer. */
  function onServerError(data) {
    const code = typeof data.code === "string" ? data.code : "";
    if (AUTH_ERROR_CODES.has(code)) {
      state.authFailed = true;
      return;
    }
    if (REJECTION_CODES.has(code)) {
      // The server handles events in order, so the refusal is for the oldest unanswered message.
      const index = state.outbox.findIndex((entry) => entry.socket === state.socket);
      if (index !== -1) state.outbox.splice(index, 1);
    }
    handlers.error(typeof data.message === "string" && data.message.trim() ? data.message : null);
  }

  function onSocketClose(socket, event) {
    if (socket !== state.socket) return;
    const authFailed = AUTH_CLOSE_CODES.has(event.code) || state.authFailed;
    closeSocket();
    if (authFailed) {
      handlers.authFailed();
      return;
    }
    if (event.code === TOO_MANY_SOCKETS_CLOSE_CODE) return; // sendMessage and openPanel reconnect
    scheduleReconnect();
  }

  /** Detaches and closes the current socket without triggering our own close handling. */
  function closeSocket() {
    const socket = state.socket;
    state.socket = null;
    state.connected = false;
    state.authFailed = false;
    clearInterval(state.pingTimer);
    state.pingTimer = null;
    handlers.closed();
    if (socket && socket.readyState <= WebSocket.OPEN) {
      try {
        socket.close(1000);
      } catch {
        // Already closing.
      }
    }
    handlers.changed();
  }

  /** Exponential backoff with "equal jitter", so many widgets don't reconnect in lockstep. */
  function scheduleReconnect() {
    if (state.reconnectTimer !== null || state.socket || !wantsConnection(state)) {
      handlers.changed();
      return;
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** state.attempts);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    state.attempts += 1;
    state.reconnectTimer = setTimeout(() => {
      state.reconnectTimer = null;
      connect();
    }, delay);
    handlers.changed();
  }

  /** Skip the remaining backoff, e.g. when the network comes back or the customer opens the chat. */
  function reconnectNow() {
    if (state.connected || state.socket) return;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    connect();
  }

  return { connect, sendEvent, flushOutbox, closeSocket, scheduleReconnect, reconnectNow };
}
