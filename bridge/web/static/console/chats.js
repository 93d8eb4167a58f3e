/**
 * The open chats: tabs, the active chat's header and panels, and the per-conversation
 * websocket events (messages, typing, status, customer presence, errors).
 *
 * Each chat keeps its transcript (transcript.js), which records the last seq it has seen; on
 * every (re)connect the chat is subscribed again with `after` = that seq, so the server
 * replays exactly what was missed and the seq check drops anything seen twice.
 */

import { api } from "./api.js";
import { STATUSES, applyConversation, hasEnded, isMine, newChat } from "./chat_model.js";
import { byId } from "../shared/dom.js";
import { createHandoffActions } from "./handoff_actions.js";
import { isHandoff } from "./queue.js";
import { loadTabs, saveTabs } from "./storage.js";
import { createTabs } from "./tabs.js";
import { uuid } from "../shared/uuid.js";

/** The "off" typing event can be lost with a socket; never show the indicator longer than this. */
const REMOTE_TYPING_TIMEOUT_MS = 20000;
/** Errors that refuse the agent's last message; it must not stay "sending" forever. */
const REJECTION_CODES = new Set(["empty_message", "message_too_long", "not_yours"]);

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 * @param {number} options.agentId
 * @param {ReturnType<import("./socket.js").createSocket>} options.socket
 * @param {ReturnType<import("./queue.js").createQueue>} options.queue
 * @param {ReturnType<import("./notice.js").createNotice>} options.notice
 * @param {ReturnType<import("./notify.js").createNotifier>} options.notifier
 * @param {ReturnType<import("./compose.js").createCompose>} options.compose
 * @param {ReturnType<import("./notes.js").createNotes>} options.notes
 * @param {ReturnType<import("./context_panel.js").createContextPanel>} options.context
 * @param {ReturnType<import("./kb_panel.js").createKbPanel>} options.kb
 * @param {(chat: object) => void} [options.onRender]  after the open chat's header is redrawn
 */
export function createChats({ t, lang, agentId, socket, queue, notice, notifier, compose, notes, context, kb, onRender = () => {} }) {
  const nodes = {
    workspace: byId("workspace"),
    empty: byId("no-chat"),
    scroller: byId("transcript"),
    title: byId("chat-title"),
    status: byId("chat-status"),
    typing: byId("customer-typing"),
    handBack: byId("hand-back-button"),
    close: byId("close-button"),
  };
  /** conversation id -> chat; insertion order is the tab order. */
  const chats = new Map();
  const opening = new Map();
  let activeId = null;
  let counter = 0;
  let everConnected = false;

  const tabs = createTabs({
    t, tablist: byId("chat-tabs"), panel: nodes.workspace, onSelect: (id) => activate(id), onClose: (id) => closeTab(id),
  });

  const active = () => (activeId ? chats.get(activeId) || null : null);
  const mine = (chat) => isMine(chat, agentId);

  function subscribe(chat) {
    socket.send({ type: "subscribe", conversation_id: chat.id, after: chat.transcript.lastSeq() });
  }

  function persist() {
    saveTabs([...chats.keys()], activeId);
  }

  function renderTabs() {
    tabs.render([...chats.values()].map((chat) => ({
      id: chat.id, label: chat.label, title: chat.title, unread: chat.unread, ended: hasEnded(chat),
    })), activeId);
  }

  function renderTyping(chat) {
    nodes.typing.hidden = !chat.customerTyping;
  }

  /** Header, buttons and compose state of the active chat; they follow status and ownership. */
  function renderActive() {
    const chat = active();
    nodes.workspace.hidden = !chat;
    nodes.empty.hidden = Boolean(chat);
    if (!chat) {
      onRender(null);
      return;
    }
    const language = t.languages[chat.language] || chat.language || t.unknown;
    nodes.title.textContent = t.chatTitle(chat.label, language);
    nodes.title.title = chat.title;
    nodes.status.textContent = t.statuses[chat.status] || "";
    nodes.status.dataset.status = chat.status;
    const held = mine(chat);
    nodes.handBack.disabled = !held;
    nodes.close.disabled = !held;
    renderTyping(chat);
    let reason = null;
    if (!held || hasEnded(chat)) reason = hasEnded(chat) ? t.composeDisabled.ended : t.composeDisabled.notYours;
    else if (!socket.isOpen()) reason = t.composeDisabled.offline;
    compose.setCanReply(reason === null, reason);
    onRender(chat);
  }

  /** Shows a chat; the others keep their DOM (and scroll position) detached. */
  function activate(id, { focusCompose = false } = {}) {
    const chat = id ? chats.get(id) : null;
    const previous = active();
    if (previous && previous !== chat) previous.scrollTop = nodes.scroller.scrollTop;
    activeId = chat ? chat.id : null;
    compose.setChat(activeId);
    notes.setChat(chat);
    if (chat) {
      chat.unread = 0;
      nodes.scroller.replaceChildren(chat.transcript.node);
      if (chat.scrollTop === null) chat.transcript.scrollToBottom();
      else nodes.scroller.scrollTop = chat.scrollTop;
      context.render(chat);
      kb.setLanguage(chat.language);
    } else {
      nodes.scroller.replaceChildren();
    }
    renderActive();
    renderTabs();
    persist();
    if (chat && focusCompose) compose.focus();
  }

  async function load(conversationId, handoff, { quiet }) {
    const result = await api.conversation(conversationId);
    if (!result.ok || !result.body || typeof result.body !== "object") {
      if (!quiet) notice.show(result.status === 0 ? t.networkError : t.loadFailed);
      return null;
    }
    counter += 1;
    const chat = newChat({
      t, lang, scroller: nodes.scroller, conversationId,
      handoff: handoff || (isHandoff(result.body.handoff) ? result.body.handoff : null),
      fallbackLabel: t.tabLabel(counter),
    });
    applyConversation(chat, result.body);
    chats.set(conversationId, chat);
    subscribe(chat);
    renderTabs();
    persist();
    return chat;
  }

  /**
   * Opens a conversation as a tab (or selects it if it is open already).
   *
   * @param {string} conversationId
   * @param {{handoff?: object, select?: boolean, quiet?: boolean, focusCompose?: boolean}} [options]
   *   quiet: no notice when it cannot be loaded (restoring tabs after a reload)
   */
  async function open(conversationId, { handoff = null, select = true, quiet = false, focusCompose = false } = {}) {
    let chat = chats.get(conversationId);
    if (!chat) {
      if (!opening.has(conversationId)) {
        opening.set(conversationId, load(conversationId, handoff, { quiet }).finally(() => opening.delete(conversationId)));
      }
      chat = await opening.get(conversationId);
      if (!chat) return null;
    } else if (isHandoff(handoff)) {
      chat.handoff = handoff;
    }
    if (select) activate(chat.id, { focusCompose });
    else if (chat.id === activeId) renderActive();
    return chat;
  }

  function closeTab(id) {
    const chat = chats.get(id);
    if (!chat) return;
    const ids = [...chats.keys()];
    const index = ids.indexOf(id);
    socket.send({ type: "unsubscribe", conversation_id: id });
    clearTimeout(chat.typingTimer);
    chats.delete(id);
    if (id === activeId) {
      activeId = null;
      activate(ids[index + 1] || ids[index - 1] || null);
    } else {
      renderTabs();
      persist();
    }
    compose.forget(id); // after activate(), which stores the outgoing chat's draft
  }

  const actions = createHandoffActions({ t, queue, notice, open, refresh });

  /** Hand back or close the active chat; the buttons stay off while the request runs. */
  async function finish(kind) {
    const chat = active();
    if (!chat) return;
    nodes.handBack.disabled = true;
    nodes.close.disabled = true;
    await actions.finish(chat, kind);
    if (chat.id === activeId) renderActive();
    renderTabs();
  }

  async function refresh(chat) {
    const result = await api.conversation(chat.id);
    if (!result.ok || !result.body || !chats.has(chat.id)) return;
    applyConversation(chat, result.body);
    if (chat.id === activeId) {
      context.render(chat);
      notes.render();
      renderActive();
    }
    renderTabs();
  }

  function setTyping(chat, on) {
    clearTimeout(chat.typingTimer);
    chat.customerTyping = on;
    if (on) chat.typingTimer = setTimeout(() => setTyping(chat, false), REMOTE_TYPING_TIMEOUT_MS);
    if (chat.id === activeId) renderTyping(chat);
  }

  /** One websocket event that names a conversation; events for chats not open are ignored. */
  function onEvent(data) {
    const chat = chats.get(data.conversation_id);
    if (!chat) {
      if (data.type === "error") notice.show(t.errors[data.code] || t.genericError);
      return;
    }
    switch (data.type) {
      case "message": {
        const message = chat.transcript.add(data);
        if (!message || message.role !== "customer") break;
        setTyping(chat, false);
        if (chat.id !== activeId) {
          chat.unread += 1;
          renderTabs();
          notifier.announce(t.newMessageIn(chat.label));
        }
        break;
      }
      case "typing":
        if (data.role === "customer") setTyping(chat, Boolean(data.on));
        break;
      case "status":
        if (!STATUSES.has(data.status)) break;
        chat.status = data.status;
        if (hasEnded(chat)) setTyping(chat, false);
        if (chat.id === activeId) renderActive();
        renderTabs();
        break;
      case "customer_presence":
        chat.customerPresent = Boolean(data.present);
        if (!chat.customerPresent) setTyping(chat, false);
        if (chat.id === activeId) context.renderPresence(chat);
        break;
      case "error": {
        if (REJECTION_CODES.has(data.code)) {
          const text = chat.transcript.rejectOldest();
          if (text && chat.id === activeId) compose.restore(text);
        }
        if (data.code === "not_yours") refresh(chat);
        const fallback = typeof data.message === "string" && data.message.trim() ? data.message : t.genericError;
        notice.show(t.errors[data.code] || fallback);
        break;
      }
      default:
        break;
    }
  }

  /** Every (re)connect: subscribe each chat from its last seq; after a drop, also refresh status and notes. */
  function onConnected() {
    for (const chat of chats.values()) {
      subscribe(chat);
      if (everConnected) refresh(chat);
    }
    everConnected = true;
    renderActive();
  }

  function onDisconnected() {
    for (const chat of chats.values()) {
      chat.transcript.markAllUnsent();
      setTyping(chat, false);
    }
    renderActive();
  }

  /** Snapshots also tell open chats about their handoff (e.g. a colleague closed it). */
  function syncHandoffs(handoffs) {
    let changed = false;
    for (const handoff of handoffs) {
      const chat = chats.get(handoff.conversation_id);
      if (chat && (!chat.handoff || handoff.handoff_id >= chat.handoff.handoff_id)) {
        chat.handoff = handoff;
        changed = true;
      }
    }
    if (changed) {
      renderActive();
      renderTabs();
    }
  }

  /** Sends the compose box's text in the active chat; false when it could not go out now. */
  function sendMessage(text) {
    const chat = active();
    if (!chat || !mine(chat) || hasEnded(chat)) return false;
    const event = { type: "message", conversation_id: chat.id, text, client_id: uuid() };
    if (!socket.send(event)) return false;
    chat.transcript.addPending(event, (again) => socket.send(again));
    return true;
  }

  function sendTyping(on) {
    const chat = active();
    if (chat && mine(chat)) socket.send({ type: "typing", conversation_id: chat.id, on });
  }

  /** Reopens the tabs this browser tab had before a reload; ones that no longer load are dropped. */
  async function restore() {
    const saved = loadTabs();
    for (const id of saved.open) await open(id, { select: false, quiet: true });
    if (activeId) return; // the agent has opened or claimed something meanwhile
    activate(saved.active && chats.has(saved.active) ? saved.active : chats.keys().next().value || null);
  }

  nodes.handBack.addEventListener("click", () => finish("hand-back"));
  nodes.close.addEventListener("click", () => finish("close"));

  return {
    claim: actions.claim,
    open,
    restore,
    onEvent,
    onConnected,
    onDisconnected,
    syncHandoffs,
    sendMessage,
    sendTyping,
    active, // the chat on screen, or null (saved replies fill their placeholders from it)
  };
}
