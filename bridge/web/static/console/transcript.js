/**
 * One chat's transcript: validating server messages, keeping each seq exactly once and in
 * order, and the agent's own messages that are sent but not yet echoed by the server.
 *
 * Every message is shown as plain text (textContent, line breaks kept by CSS). The agent must
 * see exactly what was written, including a customer's attempted Markdown or HTML, and plain
 * text cannot turn anyone's input into markup.
 *
 * Each chat owns its list node (role="log"); the console shows the active chat's list inside
 * the one transcript container and keeps the others detached, so switching tabs keeps their
 * DOM and a list that is put back is not read out again as if it were new.
 */

import { el, textEl } from "../shared/dom.js";
import { clockTime, fullTime } from "./format.js";

const ROLES = new Set(["customer", "bot", "agent", "system"]);

/**
 * @typedef {object} Message
 * @property {number} seq
 * @property {"customer"|"bot"|"agent"|"system"} role
 * @property {string} text
 * @property {{title: string, payload: string}[]} buttons
 * @property {?string} author
 * @property {?string} client_id
 * @property {string} created_at
 */

/** Validates a server message; returns a normalised copy or null. */
export function normaliseMessage(raw) {
  if (!raw || !Number.isInteger(raw.seq) || raw.seq < 0 || !ROLES.has(raw.role)) return null;
  return {
    seq: raw.seq,
    role: raw.role,
    text: typeof raw.text === "string" ? raw.text : "",
    buttons: Array.isArray(raw.buttons) ? raw.buttons.filter((b) => b && typeof b.title === "string" && b.title.trim()) : [],
    author: typeof raw.author === "string" && raw.author.trim() ? raw.author.trim() : null,
    client_id: typeof raw.client_id === "string" ? raw.client_id : null,
    created_at: typeof raw.created_at === "string" ? raw.created_at : "",
  };
}

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 * @param {HTMLElement} options.scroller  the transcript container that scrolls
 * @param {string} options.label  accessible name of this chat's log
 */
export function createTranscript({ t, lang, scroller, label }) {
  const list = el("div", "messages", { role: "log", "aria-label": label });
  const seen = new Set();
  let lastSeq = 0;
  /** client_id -> { event, node } for the agent's messages awaiting their echo. */
  const pending = new Map();

  const shown = () => list.isConnected;
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const scrollToBottom = () => {
    if (shown()) scroller.scrollTop = scroller.scrollHeight;
  };

  function metaLine(author, createdAt) {
    const meta = el("div", "msg-meta");
    meta.append(textEl("span", "msg-author", author));
    const time = clockTime(createdAt, lang);
    if (time) meta.append(textEl("time", "msg-time", time, { datetime: createdAt, title: fullTime(createdAt, lang) }));
    return meta;
  }

  function renderMessage(message) {
    const item = el("div", `msg msg-${message.role}`, {
      "data-testid": "message", "data-role": message.role, "data-seq": String(message.seq),
    });
    const author = message.role === "agent" ? message.author || t.roles.agent : t.roles[message.role];
    item.append(metaLine(author, message.created_at), textEl("p", "msg-text", message.text));
    if (message.buttons.length && message.role !== "customer") {
      // What the customer was offered, for context; the agent cannot press them.
      const offered = el("p", "msg-buttons");
      offered.append(textEl("span", "msg-buttons-label", t.offeredButtons));
      for (const button of message.buttons) offered.append(" ", textEl("span", "chip", button.title));
      item.append(offered);
    }
    return item;
  }

  /** Inserts keeping seq order, since a replay can deliver an older seq after a newer one. */
  function insertBySeq(node, seq) {
    const items = list.querySelectorAll("[data-seq]");
    for (let i = items.length - 1; i >= 0; i -= 1) {
      if (Number(items[i].dataset.seq) < seq) {
        items[i].after(node);
        return;
      }
    }
    list.prepend(node);
  }

  /**
   * Adds a server message once. Returns the normalised message when it is new, null for a
   * duplicate (normal after a reconnect's replay) or an invalid one.
   */
  function add(raw) {
    const message = normaliseMessage(raw);
    if (!message || seen.has(message.seq)) return null;
    const stick = nearBottom() || (message.role === "agent" && message.client_id && pending.has(message.client_id));
    seen.add(message.seq);
    lastSeq = Math.max(lastSeq, message.seq);
    if (message.client_id && pending.has(message.client_id)) {
      // The echo is the delivery receipt.
      pending.get(message.client_id).node.remove();
      pending.delete(message.client_id);
    }
    insertBySeq(renderMessage(message), message.seq);
    if (stick) scrollToBottom();
    return message;
  }

  /** Bulk history; aria-busy keeps screen readers from reading it all aloud. */
  function addHistory(messages) {
    list.setAttribute("aria-busy", "true");
    for (const message of Array.isArray(messages) ? messages : []) add(message);
    list.setAttribute("aria-busy", "false");
    scrollToBottom();
  }

  /**
   * Shows a sent message until its echo arrives. `retry` sends the same event again (same
   * client_id), which the agent triggers only after it was marked as not sent.
   */
  function addPending(event, retry) {
    const node = el("div", "msg msg-agent msg-pending", { "data-testid": "pending-message", "data-client-id": event.client_id });
    const status = textEl("span", "msg-status", t.sending);
    const retryButton = textEl("button", "button small", t.retry, { type: "button" });
    retryButton.hidden = true;
    retryButton.addEventListener("click", () => {
      if (!retry(event)) return;
      status.textContent = t.sending;
      retryButton.hidden = true;
      node.classList.remove("msg-failed");
    });
    const meta = metaLine(t.you, new Date().toISOString());
    meta.append(status, retryButton);
    node.append(meta, textEl("p", "msg-text", event.text));
    pending.set(event.client_id, { event, node, status, retryButton });
    list.append(node);
    scrollToBottom();
  }

  function markFailed(entry) {
    entry.status.textContent = t.notSent;
    entry.retryButton.hidden = false;
    entry.node.classList.add("msg-failed");
  }

  /**
   * The socket went away: anything unconfirmed may be lost. It is marked "not sent" with a
   * retry button rather than re-sent blindly; if it did arrive, the replay after reconnecting
   * brings its echo and the entry disappears by itself.
   */
  function markAllUnsent() {
    for (const entry of pending.values()) markFailed(entry);
  }

  /**
   * The server refused our oldest unanswered message (it handles events in order). Retrying
   * the same text would be refused again, so the entry goes and its text is returned for the
   * compose box; null when nothing was waiting.
   */
  function rejectOldest() {
    const oldest = [...pending.values()].find((entry) => !entry.node.classList.contains("msg-failed"));
    if (!oldest) return null;
    oldest.node.remove();
    pending.delete(oldest.event.client_id);
    return oldest.event.text;
  }

  return {
    node: list,
    add,
    addHistory,
    addPending,
    markAllUnsent,
    rejectOldest,
    scrollToBottom,
    lastSeq: () => lastSeq,
  };
}
