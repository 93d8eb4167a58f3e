/**
 * The live queue in the left column, rendered from the server's snapshots (`queue` events and
 * GET /api/staff/queue). Waiting customers get a claim button; a chat this agent already holds
 * gets an "open" button; one held by a colleague shows who has it.
 *
 * The queue also remembers who claimed what it last saw, so that a refused claim (409) can say
 * "Already taken by Anna" even though the refusal itself carries no name.
 */

import { returningText } from "./customer_history.js";
import { el, textEl } from "../shared/dom.js";
import { fullTime, minutesSince } from "./format.js";

/** Waiting times are shown in whole minutes, so a refresh twice a minute is enough. */
const CLOCK_REFRESH_MS = 30000;

/**
 * @typedef {object} HandoffView
 * @property {number} handoff_id
 * @property {string} conversation_id
 * @property {"waiting"|"claimed"|"returned"|"closed"} status
 * @property {string} reason
 * @property {"en"|"hu"} language
 * @property {{last_question: ?string, articles: {id: any, title: string, score: number}[]}} context
 * @property {string} created_at
 * @property {?number} position  null for a customer who left the page (and for claimed chats)
 * @property {?string} [customer_left_at]  while waiting: since when the customer has not been on the page
 * @property {?{id: number, display_name: string}} claimed_by
 * @property {?{earlier_chats: number, last_nps: ?number}} returning  null: a first-time customer
 * @property {?string} [customer_name]  a signed-in customer's name
 */

/** Drops snapshot entries without the fields the rendering relies on (a newer or broken server). */
export function isHandoff(value) {
  return Boolean(value) && Number.isInteger(value.handoff_id) && typeof value.conversation_id === "string"
    && typeof value.status === "string";
}

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 * @param {number} options.agentId
 * @param {HTMLElement} options.list  the queue's <ol>
 * @param {HTMLElement} options.empty  "no one is waiting"
 * @param {HTMLElement} options.count  the waiting count next to the heading
 * @param {ReturnType<import("./notify.js").createNotifier>} options.notifier
 * @param {(handoff: HandoffView, button: HTMLButtonElement) => void} options.onClaim
 * @param {(handoff: HandoffView) => void} options.onOpen
 */
export function createQueue({ t, lang, agentId, list, empty, count, notifier, onClaim, onOpen }) {
  /** @type {HandoffView[]} */
  let handoffs = [];
  /** Last seen claimer per handoff id, kept after the handoff leaves the snapshot. */
  const claimers = new Map();

  const question = (handoff) => handoff.context?.last_question?.trim() || t.noQuestion;
  /** Whether a waiting customer has left the page (they hold no place until they are back). */
  const leftPage = (handoff) => handoff.status === "waiting" && typeof handoff.customer_left_at === "string";
  // Only the customers still on the page count as waiting (the heading, the title, the sound).
  const waitingCount = () => handoffs.filter((h) => h.status === "waiting" && !leftPage(h)).length;

  function renderItem(handoff) {
    const item = el("li", `queue-item status-${handoff.status}${leftPage(handoff) ? " left-page" : ""}`, {
      "data-testid": "queue-item",
      "data-handoff-id": String(handoff.handoff_id),
      "data-status": handoff.status,
      "data-left-page": String(leftPage(handoff)),
    });
    const head = el("div", "queue-item-head");
    if (Number.isInteger(handoff.position)) head.append(textEl("span", "queue-position", t.position(handoff.position)));
    const language = t.languages[handoff.language] ? handoff.language : null;
    if (language) {
      head.append(textEl("abbr", "lang-badge", language.toUpperCase(), { title: t.languages[language] }));
    }
    const waited = textEl("time", "queue-waited", t.waitingFor(minutesSince(handoff.created_at)), {
      datetime: handoff.created_at || "", title: fullTime(handoff.created_at, lang), "data-since": handoff.created_at || "",
    });
    head.append(waited);
    // A signed-in customer's name (the shop vouched for the id), so nobody has to ask for it.
    if (typeof handoff.customer_name === "string" && handoff.customer_name) {
      head.append(textEl("span", "queue-customer", handoff.customer_name, { "data-testid": "queue-customer" }));
    }
    item.append(head, textEl("p", "queue-question", question(handoff)));
    if (t.reasons[handoff.reason]) item.append(textEl("p", "queue-reason", t.reasons[handoff.reason]));
    if (leftPage(handoff)) {
      item.append(textEl("p", "queue-left-page", t.queueLeftPage, {
        "data-testid": "queue-left-page", title: fullTime(handoff.customer_left_at, lang),
      }));
    }
    const returning = returningText(t, handoff.returning);
    if (returning) item.append(textEl("p", "queue-returning", returning, { "data-testid": "queue-returning" }));
    item.append(renderAction(handoff));
    return item;
  }

  function renderAction(handoff) {
    const mine = handoff.claimed_by && handoff.claimed_by.id === agentId;
    if (handoff.status === "waiting") {
      const button = textEl("button", "button primary", t.claim, {
        type: "button", "data-testid": "claim-button", "data-handoff-id": String(handoff.handoff_id),
        "aria-label": t.claimLabel(question(handoff)),
      });
      button.addEventListener("click", () => onClaim(handoff, button));
      return button;
    }
    if (handoff.status === "claimed" && mine) {
      const button = textEl("button", "button", t.open, {
        type: "button", "data-testid": "open-chat-button", "data-handoff-id": String(handoff.handoff_id),
        "aria-label": t.openLabel(question(handoff)),
      });
      button.addEventListener("click", () => onOpen(handoff));
      return button;
    }
    const name = handoff.claimed_by?.display_name;
    return textEl("p", "queue-claimed", name ? t.claimedBy(name) : t.statuses.with_agent);
  }

  /**
   * Replaces the list from `handoffs`. Focus on a button that is re-created is put back on
   * its replacement, so an agent tabbing through the queue is not thrown out by an update.
   */
  function render() {
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const focusedId = focused?.closest("[data-handoff-id]")?.dataset.handoffId;
    list.replaceChildren(...handoffs.map(renderItem));
    empty.hidden = handoffs.length > 0;
    const waiting = waitingCount();
    count.textContent = String(waiting);
    notifier.setWaitingCount(waiting);
    if (focused && !list.contains(focused)) {
      const again = focusedId && list.querySelector(`li[data-handoff-id="${CSS.escape(focusedId)}"] button`);
      (again || list.closest("section") || list).focus();
    }
  }

  function remember(handoff) {
    if (handoff.claimed_by?.display_name) claimers.set(handoff.handoff_id, handoff.claimed_by);
  }

  /** Full snapshot from the server: it replaces whatever was shown. */
  function setSnapshot(items) {
    handoffs = Array.isArray(items) ? items.filter(isHandoff) : [];
    handoffs.forEach(remember);
    render();
  }

  /** `handoff_new`: show it at once (the snapshot that follows agrees) and get attention. */
  function addNew(handoff) {
    if (!isHandoff(handoff)) return;
    if (!handoffs.some((h) => h.handoff_id === handoff.handoff_id)) {
      handoffs = [...handoffs, handoff];
      render();
    }
    notifier.newCustomer(question(handoff), waitingCount());
  }

  /** A handoff changed through this agent's own action (claim, hand back, close). */
  function update(handoff) {
    if (!isHandoff(handoff)) return;
    remember(handoff);
    const index = handoffs.findIndex((h) => h.handoff_id === handoff.handoff_id);
    if (index === -1) return;
    handoffs = handoffs.map((h, i) => (i === index ? handoff : h));
    render();
  }

  /** Who holds this handoff, as far as the console has seen; null when unknown. */
  function claimerOf(handoffId) {
    return claimers.get(handoffId)?.display_name || null;
  }

  /** Updates the "waiting N min" labels in place, without re-rendering (and moving focus). */
  setInterval(() => {
    for (const node of list.querySelectorAll("time[data-since]")) {
      node.textContent = t.waitingFor(minutesSince(node.dataset.since));
    }
  }, CLOCK_REFRESH_MS);

  return { setSnapshot, addNew, update, claimerOf, handoffs: () => handoffs };
}
