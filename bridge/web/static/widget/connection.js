/**
 * The websocket to the bridge: the outbox of unconfirmed messages and the chat protocol, on
 * the shared reconnecting socket (pings, backoff, online/offline: shared/reconnecting_socket.js).
 *
 * Delivery is at-least-once from here and exactly-once overall: a customer message stays in
 * the outbox until the server echoes its client_id (see transcript.js), is sent again on every
 * new socket until then, and the server de-duplicates by client_id. What the server sends is
 * handed to the `handlers` given at construction, so this module knows the protocol but not
 * the UI.
 */

import { createReconnectingSocket } from "../shared/reconnecting_socket.js";
import { wantsConnection } from "./state.js";

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
 * @param {object} options.state  the shared state (state.js); `connected` and `trying` mirror
 *   the socket here, for the view
 * @param {ConnectionHandlers} options.handlers
 */
export function createConnection({ config, state, handlers }) {
  /** Set by an auth error event; acted on by the close that follows it. */
  let authFailed = false;

  const socket = createReconnectingSocket({
    url: async () => {
      authFailed = false; // a new socket: only its own events count
      // A stored conversation found dead by the restore is replaced rather than reused.
      if (state.restoring) await state.restoring;
      if (!wantsConnection(state)) throw new Error("no longer wanted");
      return socketUrl(await handlers.conversation());
    },
    onOpen: flushOutbox,
    onEvent,
    onClose: (event) => {
      const refused = AUTH_CLOSE_CODES.has(event.code) || authFailed;
      authFailed = false;
      if (refused) {
        handlers.authFailed();
        return false;
      }
      return event.code !== TOO_MANY_SOCKETS_CLOSE_CODE; // sendMessage and openPanel reconnect
    },
    onDetach: () => handlers.closed(),
    onChange: () => {
      state.connected = socket.isOpen();
      state.trying = socket.isTrying();
      handlers.changed();
    },
    wanted: () => wantsConnection(state),
    backoffMaxMs: BACKOFF_MAX_MS,
  });

  function socketUrl(conversation) {
    const url = new URL(`${config.bridgeBase}/ws/chat/${encodeURIComponent(conversation.conversation_id)}`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", conversation.token);
    url.searchParams.set("after", String(state.lastSeq));
    return url.toString();
  }

  /**
   * Sends every queued message not yet sent on this socket. Entries stay queued until the
   * server echoes their client_id, so a message lost with a dying socket is sent again
   * (the server de-duplicates by client_id).
   */
  function flushOutbox() {
    const current = socket.current();
    if (!socket.isOpen()) return;
    for (const entry of state.outbox) {
      if (entry.socket === current) continue;
      if (socket.send(entry.event)) entry.socket = current;
    }
  }

  function onEvent(data) {
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
        break; // anything newer than this widget
    }
  }

  /** Auth errors are handled on the close that follows them; the rest are shown to the customer. */
  function onServerError(data) {
    const code = typeof data.code === "string" ? data.code : "";
    if (AUTH_ERROR_CODES.has(code)) {
      authFailed = true;
      return;
    }
    if (REJECTION_CODES.has(code)) {
      // The server handles events in order, so the refusal is for the oldest unanswered message.
      const current = socket.current();
      const index = state.outbox.findIndex((entry) => entry.socket === current);
      if (index !== -1) state.outbox.splice(index, 1);
    }
    handlers.error(typeof data.message === "string" && data.message.trim() ? data.message : null);
  }

  return {
    connect: socket.connect,
    /** Sends a control event if the socket is up; typing and pings are worthless later, so they are not queued. */
    sendEvent: socket.send,
    flushOutbox,
    /** Detaches and closes the current socket without triggering our own close handling. */
    closeSocket: socket.drop,
    scheduleReconnect: socket.scheduleReconnect,
    /** Skip the remaining backoff, e.g. when the customer opens the chat or sends. */
    reconnectNow: socket.reconnectNow,
    backOff: socket.backOff,
  };
}
