/**
 * Renders the chat state into the DOM built by layout.js.
 *
 * The view reads the shared state (state.js) but never changes it: every decision about what
 * happens next lives in transcript.js, chat.js and connection.js, which call these functions
 * afterwards. The one thing it owns is the timer that hides a stale typing indicator, because
 * that is purely about what is on screen.
 */

import { el, icon } from "../shared/dom.js";
import { ICONS } from "./icons.js";
import { buildLayout } from "./layout.js";
import { COUNTER_FROM, MAX_LENGTH, codePointLength } from "./limits.js";
import { renderMarkdown } from "./markdown.js";
import { wantsConnection } from "./state.js";

/** The "off" typing event can be lost with the socket; never show dots for longer than this. */
const REMOTE_TYPING_TIMEOUT_MS = 20000;

/**
 * @param {object} options
 * @param {import("./config.js").Config} options.config
 * @param {object} options.t  UI strings for config.lang
 * @param {object} options.state  the shared state (read only here)
 * @param {(button: {title: string, payload: string}) => boolean} options.onQuickReply
 *   sends a quick reply; true when it was accepted, which locks the group
 */
export function createView({ config, t, state, onQuickReply }) {
  const nodes = buildLayout(config, t);
  let remoteTypingTimer = null;

  /** Launcher label, icon and badge follow open state and unread count. */
  function renderLauncher() {
    const { launcher, launcherIcon, badge } = nodes;
    launcher.setAttribute("aria-expanded", String(state.open));
    let label = state.open ? t.closeChat : t.openChat;
    if (!state.open && state.unread > 0) label += ` (${t.unread(state.unread)})`;
    launcher.setAttribute("aria-label", label);
    launcherIcon.replaceChildren(icon(state.open ? ICONS.chevron : ICONS.chat, 28));
    badge.hidden = state.open || state.unread === 0;
    badge.textContent = state.unread > 9 ? "9+" : String(state.unread);
  }

  /** Header subtitle reflects who the customer is talking to. */
  function renderSubtitle() {
    const texts = {
      bot: t.statusBot,
      waiting_for_agent: t.statusWaiting,
      with_agent: t.statusWithAgent(state.agentName || t.agent),
      closed: t.statusClosed,
    };
    nodes.subtitle.textContent = texts[state.status] || t.statusBot;
  }

  /** "Reconnecting…" only after a connection was lost or an attempt failed, not on first connect. */
  function renderStatusLine() {
    nodes.statusLine.hidden = state.connected || !wantsConnection(state) || !state.trying;
  }

  function isNearBottom() {
    const { body } = nodes;
    return body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  }

  function scrollToBottom() {
    nodes.body.scrollTop = nodes.body.scrollHeight;
  }

  function disableGroup(group) {
    for (const button of group.querySelectorAll("button")) button.disabled = true;
  }

  /**
   * Quick replies under a bot/agent message; one click answers and locks the group. A rating
   * question's numbers (0-10) are laid out as one compact scale row.
   */
  function renderQuickReplies(buttons) {
    const group = el("div", "quick-replies", { role: "group", "aria-label": t.quickReplies, "data-testid": "quick-replies" });
    const isScore = (button) => /^\d{1,2}$/.test(button.title);
    if (buttons.filter(isScore).length >= 5) group.classList.add("scale");
    for (const button of buttons) {
      const node = el("button", isScore(button) ? "score" : null, { type: "button" });
      node.textContent = button.title;
      node.addEventListener("click", () => {
        if (onQuickReply(button)) {
          disableGroup(group);
          node.classList.add("chosen");
        }
      });
      group.append(node);
    }
    return group;
  }

  /** Once the customer has said something, older suggestions are stale. */
  function disableQuickRepliesBefore(seq) {
    for (const item of nodes.messages.querySelectorAll('[data-testid="message"]')) {
      if (Number(item.dataset.seq) >= seq) break;
      const group = item.querySelector(".quick-replies");
      if (group) disableGroup(group);
    }
  }

  /** One transcript entry as DOM; customer and system text is plain, bot/agent is Markdown. */
  function renderMessageNode(message) {
    const item = el("div", `msg msg-${message.role}`, {
      "data-testid": "message", "data-role": message.role, "data-seq": String(message.seq),
    });
    if (message.role === "agent") {
      const author = el("div", "author");
      author.textContent = message.author || t.agent;
      item.append(author);
    }
    const bubble = el("div", "bubble");
    if (message.role === "bot" || message.role === "agent") bubble.append(renderMarkdown(message.text));
    else bubble.textContent = message.text;
    const time = new Date(message.created_at);
    if (!Number.isNaN(time.getTime())) bubble.title = time.toLocaleString(config.lang);
    item.append(bubble);
    if (message.role !== "customer" && message.buttons.length) item.append(renderQuickReplies(message.buttons));
    return item;
  }

  /** Inserts keeping seq order, since a replay can deliver an older seq after a newer one. */
  function insertBySeq(node, seq) {
    const items = nodes.messages.querySelectorAll("[data-seq]");
    for (let i = items.length - 1; i >= 0; i -= 1) {
      if (Number(items[i].dataset.seq) < seq) {
        items[i].after(node);
        return;
      }
    }
    nodes.messages.prepend(node);
  }

  /**
   * Shows a (normalised) transcript entry in seq order. The customer's own messages always
   * scroll into view; others only when the reader is already at the bottom, so reading older
   * messages is not interrupted. Suggestions that the customer has already moved past arrive
   * locked.
   */
  function showMessage(message) {
    const stick = message.role === "customer" || isNearBottom();
    const node = renderMessageNode(message);
    const laterCustomer = [...nodes.messages.querySelectorAll('[data-role="customer"][data-seq]')]
      .some((item) => Number(item.dataset.seq) > message.seq);
    if (laterCustomer) {
      const group = node.querySelector(".quick-replies");
      if (group) disableGroup(group);
    }
    insertBySeq(node, message.seq);
    nodes.empty.hidden = true;
    if (stick) scrollToBottom();
  }

  /** aria-busy while a backlog is added, so screen readers don't read it all aloud. */
  function setBusy(busy) {
    nodes.messages.setAttribute("aria-busy", String(busy));
  }

  /** Removes every transcript entry, e.g. when a new conversation replaces a dead one. */
  function clearMessages() {
    nodes.messages.replaceChildren();
    nodes.empty.hidden = false;
  }

  /** A local notice (errors, restarts): looks like a system message but is not in the transcript. */
  function showNotice(text) {
    const item = el("div", "msg msg-system", { "data-testid": "notice", "data-role": "system" });
    const bubble = el("div", "bubble");
    bubble.textContent = text;
    item.append(bubble);
    const stick = isNearBottom();
    nodes.messages.append(item);
    nodes.empty.hidden = true;
    if (stick || state.open) scrollToBottom();
  }

  /** The bot's or agent's typing dots, with a screen-reader text saying who is typing. */
  function setRemoteTyping(role, on) {
    clearTimeout(remoteTypingTimer);
    nodes.typingText.textContent = role === "agent" ? t.typingAgent : t.typingBot;
    nodes.typing.hidden = !on;
    if (on) {
      remoteTypingTimer = setTimeout(() => setRemoteTyping(role, false), REMOTE_TYPING_TIMEOUT_MS);
      if (isNearBottom()) scrollToBottom();
    }
  }

  /** Counter near the limit, and the send button only when there is something valid to send. */
  function renderComposerState() {
    const length = codePointLength(nodes.input.value.trim());
    nodes.counter.hidden = length < COUNTER_FROM;
    nodes.counter.textContent = `${length} / ${MAX_LENGTH}`;
    nodes.counter.classList.toggle("over", length > MAX_LENGTH);
    nodes.send.disabled = length === 0 || length > MAX_LENGTH;
  }

  /** Grow the textarea with its content up to the CSS max-height. */
  function autoResize() {
    const { input } = nodes;
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight + 2}px`;
  }

  return {
    nodes,
    renderLauncher,
    renderSubtitle,
    renderStatusLine,
    scrollToBottom,
    disableQuickRepliesBefore,
    showMessage,
    setBusy,
    clearMessages,
    showNotice,
    setRemoteTyping,
    renderComposerState,
    autoResize,
  };
}
