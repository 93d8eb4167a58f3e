/**
 * The agent's websocket (/ws/agent) on the shared reconnecting socket (pings, backoff,
 * online/offline: ../shared/reconnecting_socket.js). It knows the transport but not the
 * console: parsed server events go to `handlers.event`, and `handlers.open` runs on every
 * (re)connect so that the chats can re-subscribe from the last seq they have seen.
 */

import { createReconnectingSocket } from "../shared/reconnecting_socket.js";
import { LOGIN_URL } from "./api.js";

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
  const socket = createReconnectingSocket({
    url: socketUrl,
    onOpen: handlers.open,
    onEvent: handlers.event,
    onClose: (event) => {
      if (event.code !== AUTH_CLOSE_CODE) return true;
      window.location.assign(LOGIN_URL);
      return false;
    },
    onChange: () => handlers.changed(
      socket.isOpen() ? "open" : socket.attempts() > 0 ? "reconnecting" : "connecting",
    ),
  });
  return { connect: socket.connect, send: socket.send, isOpen: socket.isOpen };
}
