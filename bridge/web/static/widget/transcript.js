/**
 * The transcript as the bridge stores it: validating server messages, applying each one to
 * the state exactly once, and the conversation's status.
 *
 * The server is the source of truth. A customer's message appears only when the server echoes
 * it, and the server replays everything after the last seen seq on every connect, so the same
 * seq arriving twice is normal and is ignored here.
 */

const ROLES = new Set(["customer", "bot", "agent", "system"]);
const STATUSES = new Set(["bot", "waiting_for_agent", "with_agent", "closed"]);

/**
 * @typedef {object} Message
 * @property {number} seq
 * @property {"customer"|"bot"|"agent"|"system"} role
 * @property {string} text
 * @property {{title: string, payload: string}[]} buttons
 * @property {?string} author  the agent's display name
 * @property {?string} client_id  echoed for the customer's own messages
 * @property {string} created_at
 */

/** Validates a server message; returns a normalised copy or null. */
export function normaliseMessage(raw) {
  if (!raw || !Number.isInteger(raw.seq) || raw.seq < 0 || !ROLES.has(raw.role)) return null;
  const buttons = Array.isArray(raw.buttons)
    ? raw.buttons.filter((b) => b && typeof b.title === "string" && b.title.trim())
      .map((b) => ({ title: b.title, payload: typeof b.payload === "string" ? b.payload : "" }))
    : [];
  return {
    seq: raw.seq,
    role: raw.role,
    text: typeof raw.text === "string" ? raw.text : "",
    buttons,
    author: typeof raw.author === "string" && raw.author.trim() ? raw.author.trim() : null,
    client_id: typeof raw.client_id === "string" ? raw.client_id : null,
    created_at: typeof raw.created_at === "string" ? raw.created_at : "",
  };
}

/**
 * @param {object} options
 * @param {object} options.state  the shared state (state.js)
 * @param {ReturnType<import("./view.js").createView>} options.view
 */
export function createTranscript({ state, view }) {
  /**
   * Adds a transcript entry once. `live` marks messages that arrive now rather than from
   * restored history; only those count as unread, and only they prove that the current
   * conversation works (which resets the restart counter).
   */
  function add(raw, { live }) {
    const message = normaliseMessage(raw);
    if (!message || state.seen.has(message.seq)) return;
    state.seen.add(message.seq);
    state.lastSeq = Math.max(state.lastSeq, message.seq);
    if (live) state.restarts = 0;

    if (message.role === "customer") {
      // The echo is the delivery receipt: the message leaves the outbox only now.
      if (message.client_id) state.outbox = state.outbox.filter((entry) => entry.event.client_id !== message.client_id);
      view.disableQuickRepliesBefore(message.seq);
    } else if (message.role === "bot" || message.role === "agent") {
      view.setRemoteTyping(message.role, false);
      if (message.role === "agent" && message.author) {
        state.agentName = message.author;
        view.renderSubtitle();
      }
      if (live && !state.open) {
        state.unread += 1;
        view.renderLauncher();
      }
    } else if (message.role === "system" && message.author) {
      // "Anna has joined the chat": the header names who the customer is talking to.
      state.agentName = message.author;
      view.renderSubtitle();
    }
    view.showMessage(message);
  }

  /** Bulk history from the HTTP API; aria-busy keeps screen readers from reading it all aloud. */
  function addHistory(messages) {
    view.setBusy(true);
    for (const message of messages) add(message, { live: false });
    view.setBusy(false);
    view.scrollToBottom();
  }

  /** Unknown statuses (from a newer bridge) are ignored rather than shown wrongly. */
  function setStatus(status) {
    if (!STATUSES.has(status)) return;
    state.status = status;
    view.renderSubtitle();
  }

  /** Empties the transcript, e.g. when a new conversation replaces a dead one. */
  function clear() {
    view.clearMessages();
    state.seen.clear();
    state.lastSeq = 0;
    state.status = "bot";
    state.agentName = null;
    view.renderSubtitle();
  }

  return { add, addHistory, setStatus, clear };
}
