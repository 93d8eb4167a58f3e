/**
 * Passing a claimed chat to a colleague, both ends of it.
 *
 * The sender presses "Transfer" in the chat's header (Alt+T), picks an online colleague or the
 * queue in the dialog (transfer_dialog.js) and, while the colleague decides, sees "Waiting for
 * Bela to accept…" with a Cancel button in place of the Transfer button's effect. The receiver
 * gets the offer as a card (transfer_offers.js); accepting opens the chat, ready to type.
 *
 * What happens elsewhere arrives on the console's websocket as `transfer_*` events on this
 * agent's own key: the sender learns the answer (accepted: the chat's handoff now names the
 * colleague, so its tab turns read-only; declined or expired: it stays), the receiver that an
 * offer was withdrawn or expired. After a (re)connect the pending offers are read again.
 */

import { api } from "./api.js";
import { isMine } from "./chat_model.js";
import { isHandoff } from "./queue.js";
import { byId, el, textEl } from "../shared/dom.js";
import { createTransferDialog } from "./transfer_dialog.js";
import { createTransferOffers } from "./transfer_offers.js";

const isTransfer = (value) => Boolean(value) && Number.isInteger(value.transfer_id)
  && typeof value.conversation_id === "string";

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {number} options.agentId
 * @param {ReturnType<import("./notice.js").createNotice>} options.notice
 * @param {ReturnType<import("./notify.js").createNotifier>} options.notifier
 * @param {{active: () => ?object, open: Function, syncHandoffs: Function}} options.chats
 */
export function createTransfers({ t, agentId, notice, notifier, chats }) {
  const s = t.transfer;
  const button = byId("transfer-button");
  const bar = byId("transfer-pending");
  /** conversation id -> the pending offer this agent made of it */
  const outgoing = new Map();
  /** The chats this agent passed on (their header says who has them now). */
  const givenAway = new Set();
  const nameOf = (agent) => agent?.display_name || t.unknown;

  const dialog = createTransferDialog({ t, onSent: sent });
  const offers = createTransferOffers({
    t, announce: (text) => notifier.announce(text), notice, onAccepted: accepted,
  });

  /** The dialog's answer: an offer now pending, or the chat back in the queue. */
  function sent({ transfer, handoff }) {
    if (!isTransfer(transfer)) return;
    if (transfer.status === "pending") {
      outgoing.set(transfer.conversation_id, transfer);
      notifier.announce(s.offered(nameOf(transfer.to_agent)));
    } else {
      notice.show(s.queued, { kind: "info" });
    }
    if (isHandoff(handoff)) chats.syncHandoffs([handoff]);
    render(chats.active());
  }

  /** This agent accepted an offer: the chat opens with its transcript and notes. */
  async function accepted({ handoff }) {
    if (!isHandoff(handoff)) return;
    await chats.open(handoff.conversation_id, { handoff, focusCompose: true });
    chats.syncHandoffs([handoff]);
    notice.show(s.youHaveIt, { kind: "info" });
  }

  /** The header's Transfer button and the line under it, for the chat on screen. */
  function render(chat) {
    const pending = chat ? outgoing.get(chat.id) : null;
    button.disabled = !chat || !isMine(chat, agentId) || Boolean(pending);
    bar.replaceChildren();
    const holder = chat?.handoff?.status === "claimed" ? chat.handoff.claimed_by : null;
    if (pending) {
      const cancel = textEl("button", "button small", s.cancelOffer, { type: "button", "data-testid": "transfer-cancel" });
      cancel.addEventListener("click", () => withdraw(pending, cancel));
      bar.append(textEl("span", "", s.waiting(nameOf(pending.to_agent))), cancel);
    } else if (holder && holder.id !== agentId && givenAway.has(chat.id)) {
      bar.append(textEl("span", "", s.nowWith(nameOf(holder))));
    }
    bar.hidden = bar.childElementCount === 0;
  }

  async function withdraw(pending, cancel) {
    cancel.disabled = true;
    const result = await api.decideTransfer(pending.transfer_id, "cancel");
    if (result.ok || result.status === 409) outgoing.delete(pending.conversation_id);
    if (result.ok) notice.show(s.withdrawn, { kind: "info" });
    else notice.show(s.errors[result.body?.code] || (result.status === 0 ? t.networkError : t.genericError));
    render(chats.active());
    if (result.ok) button.focus();
  }

  /** One `transfer_*` event from the console's websocket. */
  function onEvent(data) {
    const transfer = data.transfer;
    if (!isTransfer(transfer)) return;
    const toMe = transfer.to_agent?.id === agentId;
    const fromMe = transfer.from_agent?.id === agentId;
    if (data.type === "transfer_offer") {
      if (toMe) offers.add(transfer);
      return;
    }
    if (toMe) {
      const had = offers.remove(transfer.transfer_id);
      if (had && data.type === "transfer_cancelled") notifier.announce(s.offerGone(nameOf(transfer.from_agent)));
      if (had && data.type === "transfer_expired") notifier.announce(s.offerExpired);
    }
    if (fromMe) {
      const pending = outgoing.get(transfer.conversation_id);
      if (pending?.transfer_id === transfer.transfer_id) outgoing.delete(transfer.conversation_id);
      const colleague = nameOf(transfer.to_agent);
      if (data.type === "transfer_accepted") {
        givenAway.add(transfer.conversation_id);
        notice.show(s.accepted(colleague), { kind: "info" });
      } else if (data.type === "transfer_declined") {
        notice.show(s.declined(colleague));
      } else if (data.type === "transfer_expired") {
        notice.show(s.expired(colleague));
      }
      if (isHandoff(data.handoff)) chats.syncHandoffs([data.handoff]);
    }
    render(chats.active());
  }

  /** After every (re)connect: the offers both ways, as the bridge has them now. */
  async function sync() {
    const shownBefore = new Set(offers.ids());
    const outgoingBefore = new Set(outgoing.keys());
    const result = await api.transfers();
    if (!result.ok || !result.body) return;
    const incoming = (result.body.incoming || []).filter(isTransfer);
    const mine = (result.body.outgoing || []).filter(isTransfer);
    const stillOffered = new Set(incoming.map((offer) => offer.transfer_id));
    for (const id of shownBefore) if (!stillOffered.has(id)) offers.remove(id);
    for (const offer of incoming) offers.add(offer, { quiet: true });
    for (const id of outgoingBefore) outgoing.delete(id);
    for (const offer of mine) outgoing.set(offer.conversation_id, offer);
    render(chats.active());
  }

  button.addEventListener("click", () => {
    const chat = chats.active();
    if (chat && isMine(chat, agentId) && isHandoff(chat.handoff) && !outgoing.has(chat.id)) {
      dialog.open(chat.handoff.handoff_id, button);
    }
  });

  /** chats.js calls it whenever it redraws the open chat's header. */
  return { onEvent, onRender: render, sync };
}
