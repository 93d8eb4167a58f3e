/**
 * The reply box of the active chat: Enter sends, Shift+Enter starts a new line, and Enter
 * that confirms an IME candidate (isComposing) does neither. Drafts are kept per chat, so
 * switching tabs never loses a half-written reply, and the agent's typing state is sent
 * throttled, as the widget does for the customer.
 */

import { byId } from "../shared/dom.js";

/** The bridge's message limit (max_message_chars), counted in code points as Python's len() does. */
export const MAX_LENGTH = 2000;
const COUNTER_FROM = 1800;
const TYPING_THROTTLE_MS = 3000;
const TYPING_IDLE_MS = 5000;

const codePointLength = (text) => Array.from(text).length;

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {(text: string) => boolean} options.onSend  true when the message went out
 * @param {(on: boolean) => void} options.onTyping
 */
export function createCompose({ t, onSend, onTyping }) {
  const form = byId("compose-form");
  const input = byId("compose");
  const send = byId("send-button");
  const counter = byId("compose-counter");
  const blocked = byId("compose-blocked");
  const drafts = new Map();
  let chatId = null;
  let canReply = false;
  let typingOn = false;
  let typingSentAt = 0;
  let idleTimer = null;
  let keyInterceptor = null;

  function renderState() {
    const length = codePointLength(input.value.trim());
    counter.hidden = length < COUNTER_FROM;
    counter.textContent = t.counter(length, MAX_LENGTH);
    counter.classList.toggle("over", length > MAX_LENGTH);
    input.setAttribute("aria-invalid", String(length > MAX_LENGTH));
    send.disabled = !canReply || length === 0 || length > MAX_LENGTH;
  }

  function stopTyping() {
    clearTimeout(idleTimer);
    typingSentAt = 0;
    if (typingOn) onTyping(false);
    typingOn = false;
  }

  function noteTyping() {
    clearTimeout(idleTimer);
    if (!canReply || !input.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - typingSentAt >= TYPING_THROTTLE_MS) {
      onTyping(true);
      typingOn = true;
      typingSentAt = now;
    }
    idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function submit() {
    const text = input.value.trim();
    if (send.disabled || !text) return;
    if (!onSend(text)) return;
    input.value = "";
    if (chatId) drafts.delete(chatId);
    stopTyping();
    renderState();
  }

  /** Switches to another chat's draft (null: no chat is open). */
  function setChat(id) {
    if (id === chatId) return;
    stopTyping();
    if (chatId) drafts.set(chatId, input.value);
    chatId = id;
    input.value = (id && drafts.get(id)) || "";
    renderState();
  }

  /**
   * Whether the active chat accepts a reply; `reason` says why not. The box stays editable
   * either way, so the agent can prepare an answer while, say, the connection comes back.
   */
  function setCanReply(allowed, reason) {
    canReply = allowed;
    blocked.textContent = allowed ? "" : reason || "";
    blocked.hidden = allowed || !reason;
    if (!allowed) stopTyping();
    renderState();
  }

  /** Inserts text at the caret (or over the selection), as the knowledge-base panel's links do. */
  function insertAtCursor(text) {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    const before = input.value.slice(0, start);
    const spaced = before && !/\s$/.test(before) ? ` ${text}` : text;
    input.setRangeText(spaced, start, end, "end");
    input.focus();
    renderState();
    noteTyping();
  }

  /** Replaces `start`..`end` of the reply with `text` and puts the caret after it (saved replies). */
  function replaceRange(start, end, text) {
    input.setRangeText(text, start, end, "end");
    input.focus();
    renderState();
    noteTyping();
  }

  /** `handler(event)` sees the reply box's keys first; true: it used the key (the "/" picker). */
  function interceptKeys(handler) {
    keyInterceptor = handler;
  }

  /** Puts a refused message back, unless the agent has already started another one. */
  function restore(text) {
    if (input.value.trim()) return;
    input.value = text;
    renderState();
  }

  /** Forgets a closed tab's draft. */
  function forget(id) {
    drafts.delete(id);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (keyInterceptor?.(event)) return; // e.g. Enter that picks a saved reply must not send
    // isComposing (and keyCode 229 in older Safari): Enter confirms an IME candidate there.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    renderState();
    noteTyping();
  });
  input.addEventListener("blur", stopTyping);

  return {
    setChat, setCanReply, insertAtCursor, replaceRange, interceptKeys, restore, forget, focus: () => input.focus(),
  };
}
