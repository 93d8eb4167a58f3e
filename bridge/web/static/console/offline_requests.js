/**
 * The "Messages left" panel: messages customers left while nobody could take their chat
 * (GET /api/staff/offline-requests), and missed chats, customers who left the page while
 * waiting and did not come back in time (GET /api/staff/missed-chats), each with the contact
 * details the customer gave, if any. Missed chats are marked handled once followed up.
 *
 * The messages are not announced over the websocket, so the panel is refreshed on a timer
 * while the page is visible and on demand; a missed chat, or one marked handled by a
 * colleague, is announced (`missed_chat`, `missed_chat_handled`) and reloads it at once.
 */

import { api } from "./api.js";
import { byId, el, textEl } from "../shared/dom.js";
import { fullTime } from "./format.js";

const REFRESH_MS = 120000;

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 */
export function createOfflineRequests({ t, lang }) {
  const list = byId("offline-list");
  const status = byId("offline-status");
  const count = byId("offline-count");
  const refresh = byId("offline-refresh");
  let loading = false;
  let again = false;

  /** The address as a mailto: link (only that fixed scheme is ever put in front of it). */
  function contact(email, missing) {
    return typeof email === "string" && email
      ? textEl("a", "offline-email", email, { href: `mailto:${email}`, title: t.offlineReply(email) })
      : textEl("span", "offline-email", missing);
  }

  function head(email, missing, language, at) {
    const node = el("div", "offline-head");
    node.append(contact(email, missing));
    if (t.languages[language]) {
      node.append(textEl("abbr", "lang-badge", language.toUpperCase(), { title: t.languages[language] }));
    }
    const when = fullTime(at, lang);
    if (when) node.append(textEl("time", "offline-time", when, { datetime: at }));
    return node;
  }

  function renderRequest(request) {
    const item = el("li", "offline-item", { "data-testid": "offline-request", "data-request-id": String(request.id ?? "") });
    item.append(
      head(request.email, t.unknown, request.language, request.created_at),
      textEl("p", "offline-message", typeof request.message === "string" ? request.message : ""),
    );
    return item;
  }

  function renderMissed(chat) {
    const item = el("li", "offline-item missed-item", {
      "data-testid": "missed-chat", "data-handoff-id": String(chat.handoff_id), "data-conversation-id": chat.conversation_id,
    });
    const question = typeof chat.last_question === "string" && chat.last_question.trim() ? chat.last_question : t.noQuestion;
    const done = textEl("button", "button small", t.missedHandled, {
      type: "button", "data-testid": "missed-handled", "aria-label": t.missedHandledLabel(question),
    });
    done.addEventListener("click", () => markHandled(chat.handoff_id, done));
    item.append(
      textEl("p", "missed-label", t.missedChat),
      head(chat.email, t.missedNoContact, chat.language, chat.missed_at),
      textEl("p", "offline-message", question),
      done,
    );
    return item;
  }

  async function markHandled(handoffId, button) {
    button.disabled = true;
    const result = await api.missedChatHandled(handoffId);
    // 409: a colleague marked it first, which is as good.
    if (result.ok || result.status === 409) {
      load();
      return;
    }
    button.disabled = false;
    status.textContent = t.missedHandledFailed;
  }

  async function load() {
    if (loading) {
      again = true; // an event during a load: load once more after it, with what it changed
      return;
    }
    loading = true;
    refresh.disabled = true;
    const [requested, missed] = await Promise.all([api.offlineRequests(), api.missedChats()]);
    loading = false;
    refresh.disabled = false;
    const requests = requested.ok && Array.isArray(requested.body?.requests)
      ? requested.body.requests.filter((r) => r && typeof r === "object")
      : null;
    const chats = missed.ok && Array.isArray(missed.body?.missed)
      ? missed.body.missed.filter((m) => m && typeof m === "object" && Number.isInteger(m.handoff_id))
      : null;
    list.replaceChildren(...(chats || []).map(renderMissed), ...(requests || []).map(renderRequest));
    const shown = (chats || []).length + (requests || []).length;
    count.textContent = String(shown);
    if (requests === null) status.textContent = t.offlineFailed;
    else if (chats === null) status.textContent = t.missedFailed;
    else status.textContent = shown ? "" : t.offlineEmpty;
    if (again) {
      again = false;
      load();
    }
  }

  /** A queue event about missed chats (`missed_chat`, `missed_chat_handled`). */
  function onEvent() {
    load();
  }

  function start() {
    load();
    setInterval(() => {
      if (document.visibilityState === "visible") load();
    }, REFRESH_MS);
  }

  refresh.addEventListener("click", load);

  return { start, load, onEvent };
}
