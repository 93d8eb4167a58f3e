/**
 * The agent's websocket (/ws/agent): connecting, pings, noticing a half-open socket and
 * reconnecting with backoff. It knows the transport but not the console: parsed server
 * events go to `handlers.event`, and `handlers.open` runs on every (re)connect so that the
 * chats can re-subscribe from the last seq they have seen.
 */

import { LOGIN_URL } from "./api.js";

const PING_INTERVAL_MS = 25000;
/** Two missed pongs and some slack: the socket is half-open. */
const SILENCE_LIMIT_MS = 2 * PING_INTERVAL_MS + 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30000;
/** The bridge closes with 4401 when the staff session is missing or expired. */
const AUTH_CLOSE_CODE = 4401;

/**
 * @typedef {"connecting"|"open"|"reconnecting"} SocketState
 *
 * @typedef {object} SocketHandlers
 * @property {() => void} open  connected (again): subscribe what needs subscribing
 * @property {(data: object) => void} event  one parsed server event
 * @property {(state: SocketState) => void} changed  for the connection status line
 */

/** ws:// or wss:// on this page's own host, as the contract says the socket is same-origin. */
function socketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws/agent`;
}

/** @param {{handlers: SocketHandlers}} options */
export function createSocket({ handlers }) {
  let socket = null;
  let connected = false;
  let attempts = 0;
  let reconnectTimer = null;
  let pingTimer = null;
  let lastHeardAt = 0;

  function setState() {
    handlers.changed(connected ? "open" : attempts > 0 || reconnectTimer !== null ? "reconnecting" : "connecting");
  }

  function connect() {
    if (socket) return;
    const current = new WebSocket(socketUrl());
    socket = current;
    // Each handler ignores events from a socket that is no longer the current one.
    current.addEventListener("open", () => {
      if (current !== socket) return;
      connected = true;
      attempts = 0;
      lastHeardAt = Date.now();
      clearInterval(pingTimer);
      pingTimer = setInterval(heartbeat, PING_INTERVAL_MS);
      setState();
      handlers.open();
    });
    current.addEventListener("message", (event) => {
      if (current !== socket) return;
      lastHeardAt = Date.now();
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data && typeof data === "object" && typeof data.type === "string" && data.type !== "pong") handlers.event(data);
    });
    current.addEventListener("close", (event) => {
      if (current !== socket) return;
      drop();
      if (event.code === AUTH_CLOSE_CODE) {
        window.location.assign(LOGIN_URL);
        return;
      }
      scheduleReconnect();
    });
    setState();
  }

  /**
   * Pings keep proxies from closing an idle socket. A socket that has heard nothing (not even
   * pongs) for two intervals is half-open; drop it instead of waiting for TCP to notice.
   */
  function heartbeat() {
    if (Date.now() - lastHeardAt > SILENCE_LIMIT_MS) {
      drop();
      scheduleReconnect();
      return;
    }
    send({ type: "ping" });
  }

  /** Forgets the current socket (closing it if still open) without running its close handler. */
  function drop() {
    const old = socket;
    socket = null;
    connected = false;
    clearInterval(pingTimer);
    pingTimer = null;
    if (old && old.readyState <= WebSocket.OPEN) {
      try {
        old.close(1000);
      } catch {
        // Already closing.
      }
    }
    setState();
  }

  /** Exponential backoff with "equal jitter", so a room of consoles doesn't reconnect in lockstep. */
  function scheduleReconnect() {
    if (reconnectTimer !== null || socket) return;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempts);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    attempts += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
    setState();
  }

  /** Skips the remaining backoff, e.g. when the network comes back. */
  function reconnectNow() {
    if (socket) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    connect();
  }

  /** Sends an event if the socket is open; false otherwise (the caller decides what that means). */
  function send(event) {
    if (!connected || !socket) return false;
    try {
      socket.send(JSON.stringify(event));
      return true;
    } catch {
      return false;
    }
  }

  window.addEventListener("online", reconnectNow);
  // A socket can stay "open" through a lost network until the heartbeat gives up; drop it now.
  window.addEventListener("offline", () => {
    if (!socket) return;
    drop();
    scheduleReconnect();
  });

  return { connect, send, isOpen: () => connected };
}
