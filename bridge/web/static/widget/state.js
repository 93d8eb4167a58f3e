/**
 * The widget's mutable state, in one object shared by the modules that drive the chat.
 *
 * One plain object (rather than state hidden in each module) keeps every flag that decides
 * what happens next in a single, inspectable place. The view only reads it; transcript.js,
 * chat.js and connection.js change it.
 */

/** A fresh state for one page view. */
export function createState() {
  return {
    open: false,
    activated: false, // the customer opened the widget in this page view
    conversation: null, // { conversation_id, token, expires_at }
    customer: null, // the signed-in customer the host page named (identity.js), or null
    restoring: null, // Promise while the stored transcript is loading
    creating: null, // Promise while POST /api/conversations is in flight
    status: "bot",
    agentName: null,
    lastSeq: 0,
    seen: new Set(),
    connected: false, // mirrors the socket (connection.js), for the view
    trying: false, // a reconnect is pending or was tried, or a socket was open once
    restarts: 0, // conversations replaced in a row; only a delivered message resets it
    outbox: [], // [{ event, socket }] until the server echoes the client_id
    typingOn: false,
    typingSentAt: 0,
    typingIdleTimer: null,
    unread: 0,
  };
}

/** Keep a socket only for a conversation that exists or that the customer has asked for. */
export function wantsConnection(state) {
  return Boolean(state.conversation) || state.activated || state.outbox.length > 0;
}
