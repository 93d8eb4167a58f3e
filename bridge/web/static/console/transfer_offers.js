/**
 * Chats offered to this agent by colleagues: cards in a corner region that never takes the
 * focus or blocks the work at hand. Each says who offers, the customer's language, their last
 * question and the colleague's note, with Accept and Decline. The keyboard path: Alt+O moves
 * to the newest offer's Accept button (the arrival is announced with that hint), Tab reaches
 * Decline, Escape on a card returns to where the agent was.
 */

import { api } from "./api.js";
import { byId, el, textEl } from "../shared/dom.js";

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {(text: string) => void} options.announce  the polite live region
 * @param {ReturnType<import("./notice.js").createNotice>} options.notice
 * @param {(result: {transfer: object, handoff: object}) => Promise<void>} options.onAccepted
 */
export function createTransferOffers({ t, announce, notice, onAccepted }) {
  const s = t.transfer;
  const region = byId("transfer-offers");
  /** transfer id -> {offer, card} */
  const shown = new Map();
  let returnTo = null;

  const sender = (offer) => offer.from_agent?.display_name || t.unknown;

  function card(offer) {
    const id = offer.transfer_id;
    const node = el("article", "transfer-offer", {
      "data-testid": "transfer-offer", "data-transfer-id": String(id), "aria-labelledby": `transfer-offer-${id}`,
    });
    node.append(textEl("h2", "transfer-offer-title", s.offerFrom(sender(offer)), { id: `transfer-offer-${id}` }));
    const facts = el("dl", "transfer-offer-facts");
    const fact = (label, value, testid) => {
      if (!value) return;
      facts.append(textEl("dt", "", label), textEl("dd", "", value, { "data-testid": testid }));
    };
    fact(s.language, t.languages[offer.language] || offer.language, "transfer-offer-language");
    fact(s.question, offer.last_question, "transfer-offer-question");
    fact(s.noteFrom, offer.note, "transfer-offer-note");
    const buttons = el("div", "transfer-offer-buttons");
    const accept = textEl("button", "button primary small", s.accept, { type: "button", "data-testid": "transfer-accept" });
    const decline = textEl("button", "button small", s.decline, { type: "button", "data-testid": "transfer-decline" });
    accept.addEventListener("click", () => decide(id, "accept", accept, decline));
    decline.addEventListener("click", () => decide(id, "decline", accept, decline));
    buttons.append(accept, decline, textEl("span", "hint", s.offerHint));
    node.append(facts, buttons);
    node.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        leave();
      }
    });
    return node;
  }

  /** Shows an offer (again: a reconnect lists the pending ones; each is shown once). */
  function add(offer, { quiet = false } = {}) {
    if (!offer || !Number.isInteger(offer.transfer_id) || shown.has(offer.transfer_id)) return;
    const node = card(offer);
    shown.set(offer.transfer_id, { offer, node });
    region.prepend(node);
    region.hidden = false;
    if (!quiet) announce(s.offerArrived(sender(offer)));
  }

  /** Takes an offer away (answered here, in another tab, withdrawn or expired). */
  function remove(transferId) {
    const entry = shown.get(transferId);
    if (!entry) return null;
    const hadFocus = entry.node.contains(document.activeElement);
    entry.node.remove();
    shown.delete(transferId);
    region.hidden = shown.size === 0;
    if (hadFocus) leave();
    return entry.offer;
  }

  async function decide(transferId, action, ...buttons) {
    for (const button of buttons) button.disabled = true;
    const result = await api.decideTransfer(transferId, action);
    if (result.ok) {
      remove(transferId);
      if (action === "accept") await onAccepted(result.body);
      return;
    }
    for (const button of buttons) button.disabled = false;
    const code = result.body?.code;
    notice.show(s.errors[code] || (result.status === 0 ? t.networkError : t.genericError));
    if (result.status !== 0) remove(transferId); // decided, withdrawn or not ours: it is over
  }

  /** Alt+O: to the newest offer's Accept button, remembering where the agent was. */
  function focusNewest() {
    const accept = region.querySelector('[data-testid="transfer-accept"]:not([disabled])');
    if (!accept) return false;
    if (!region.contains(document.activeElement)) returnTo = document.activeElement;
    accept.focus();
    return true;
  }

  function leave() {
    const target = returnTo && returnTo.isConnected ? returnTo : null;
    returnTo = null;
    if (target) target.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyO" && focusNewest()) {
      event.preventDefault();
    }
  });

  return { add, remove, ids: () => [...shown.keys()] };
}
