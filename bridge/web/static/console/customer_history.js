/**
 * A returning customer's earlier chats in the context panel: the summary ("Returning customer
 * · 3 earlier chats · last NPS 4") and the newest chats with their date, topic and outcome,
 * each opening read-only in the conversations view in a new tab.
 *
 * The list comes from GET /api/staff/conversations/{id}/history, fetched once per chat and
 * page load (earlier chats do not change while the customer talks); while it loads, the
 * summary the handoff view carries is shown. The queue uses `returningText` for its items.
 */

import { api } from "./api.js";
import { el, textEl } from "../shared/dom.js";
import { fullTime } from "./format.js";

/** The read-only view of a conversation (the conversations page opens it from `open`). */
export function conversationUrl(conversationId) {
  return `/console/conversations?open=${encodeURIComponent(conversationId)}`;
}

/** "Returning customer · 3 earlier chats · last NPS 4", or "" for a first-time customer. */
export function returningText(t, returning) {
  const count = returning?.earlier_chats;
  if (!Number.isInteger(count) || count < 1) return "";
  return t.history.returning(count, Number.isInteger(returning.last_nps) ? returning.last_nps : null);
}

function localDate(iso, lang) {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? "" : time.toLocaleDateString(lang);
}

function outcomeText(t, chat) {
  const outcome = t.history.outcomes[chat.outcome];
  if (typeof outcome === "function") return outcome(typeof chat.agent === "string" ? chat.agent : "");
  return outcome || t.unknown;
}

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 * @param {HTMLElement} options.summary  the summary line
 * @param {HTMLElement} options.list  the <ul> of earlier chats
 */
export function createCustomerHistory({ t, lang, summary, list }) {
  /** conversation id -> {state: "loading"|"loaded"|"failed", body?} */
  const loaded = new Map();
  let shown = null;

  function renderItem(chat) {
    const date = localDate(chat.started_at, lang);
    const topic = typeof chat.topic === "string" && chat.topic ? chat.topic : t.history.noTopic;
    const item = el("li", "history-item", {
      "data-testid": "history-item", "data-conversation-id": String(chat.conversation_id),
    });
    const link = el("a", "history-link", {
      href: conversationUrl(chat.conversation_id), target: "_blank", rel: "noopener",
      "aria-label": t.history.openLabel(date, topic),
    });
    link.append(
      textEl("time", "history-date", date, { datetime: chat.started_at || "", title: fullTime(chat.started_at, lang) }),
      " ", textEl("span", "history-topic", topic),
    );
    const meta = el("p", "history-meta");
    meta.append(textEl("span", "history-outcome", outcomeText(t, chat), { "data-outcome": String(chat.outcome) }));
    if (Number.isInteger(chat.nps_score)) meta.append(" · ", textEl("span", "history-nps", t.history.nps(chat.nps_score)));
    item.append(link, meta);
    return item;
  }

  function draw(chat) {
    const entry = loaded.get(chat.id);
    const body = entry?.state === "loaded" ? entry.body : null;
    const text = returningText(t, body ? body.summary : chat.handoff?.returning);
    summary.dataset.returning = String(Boolean(text));
    if (body) {
      summary.textContent = text || t.history.firstChat;
      const chats = Array.isArray(body.chats) ? body.chats.filter((c) => c && typeof c.conversation_id === "string") : [];
      list.replaceChildren(...chats.map(renderItem));
      const total = body.summary?.earlier_chats;
      if (Number.isInteger(total) && total > chats.length) {
        list.append(textEl("li", "muted", t.history.more(chats.length, total)));
      }
      return;
    }
    summary.textContent = text || (entry?.state === "failed" ? "" : t.history.loading);
    if (entry?.state === "failed") list.replaceChildren(textEl("li", "muted", t.history.failed));
    else list.replaceChildren();
  }

  async function load(chat) {
    loaded.set(chat.id, { state: "loading" });
    const result = await api.history(chat.id);
    const ok = result.ok && result.body && typeof result.body === "object" && result.body.summary;
    loaded.set(chat.id, ok ? { state: "loaded", body: result.body } : { state: "failed" });
    if (shown && shown.id === chat.id) draw(shown); // unless the agent moved to another chat
  }

  /** @param {import("./chat_model.js").Chat} chat  the active chat */
  function render(chat) {
    shown = chat;
    const entry = loaded.get(chat.id);
    if (!entry || entry.state === "failed") load(chat); // a failure is retried on the next render
    draw(chat);
  }

  return { render };
}
