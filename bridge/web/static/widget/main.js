/**
 * Entry point of the widget's modules: builds the pieces, wires them together and mounts the
 * widget. The loader (widget.js) imports this module and calls start() once per page.
 *
 * Who does what:
 *   config.js      data-* attributes → validated Config
 *   state.js       the shared mutable state
 *   layout.js      the DOM skeleton; view.js renders state into it
 *   transcript.js  server messages → state + view, once per seq
 *   connection.js  the chat protocol and the outbox, on ../shared/reconnecting_socket.js
 *   chat.js        customer actions and the conversation's life cycle
 *   identity.js    a signed-in customer named by the page (identify(), data-customer-*)
 *   offline_form.js  "leave a message" when nobody can take the chat
 *   http.js, storage.js, markdown.js, styles.js, icons.js, strings.js: leaf helpers
 *   ../shared/     dom.js, uuid.js and the reconnecting socket, shared with the console
 */

import { createChat } from "./chat.js";
import { readConfig } from "./config.js";
import { createConnection } from "./connection.js";
import { createGoalQueue } from "./goals.js";
import { identityFromEmbed } from "./identity.js";
import { LEAVE_MESSAGE_PAYLOAD, createOfflineForm } from "./offline_form.js";
import { createState } from "./state.js";
import { conversationStore } from "./storage.js";
import { STRINGS } from "./strings.js";
import { createTranscript } from "./transcript.js";
import { createView } from "./view.js";

/**
 * Starts the widget and returns the implementation behind window.SupportWidget (the loader
 * owns that object and forwards to this one).
 *
 * @param {import("./config.js").Embed} embed  raw attribute values from the loader
 * @returns {{open(): void, close(): void, isOpen(): boolean, track(goal: import("./goals.js").Goal): void, identify(customer: object): Promise<void>}}
 */
export function start(embed) {
  const config = readConfig(embed);
  const t = STRINGS[config.lang];
  const state = createState();
  const goals = createGoalQueue();

  // The view and the connection call back into `chat`, which needs them to exist first; the
  // callbacks only run after start() has returned, by which time `chat` is set.
  const view = createView({
    config,
    t,
    state,
    onQuickReply: (button) => (button.payload === LEAVE_MESSAGE_PAYLOAD
      ? offlineForm.open()
      : chat.sendMessage(button.title, button.payload)),
  });
  const offlineForm = createOfflineForm({ config, t, state, view });
  const transcript = createTranscript({ state, view });
  const connection = createConnection({
    config,
    state,
    handlers: {
      conversation: () => chat.ensureConversation(),
      message: (data) => transcript.add(data, { live: true }),
      typing: (role, on) => view.setRemoteTyping(role, on),
      status: (status) => transcript.setStatus(status),
      error: (text) => view.showNotice(text || t.genericError),
      notice: (text) => view.showNotice(text),
      authFailed: () => chat.restartConversation(),
      closed: () => chat.onDisconnected(),
      changed: () => {
        view.renderStatusLine();
        if (state.connected) goals.flush(config, state.conversation);
      },
    },
  });
  const chat = createChat({
    config, t, state, view, transcript, store: conversationStore(config.bridgeOrigin), connection,
  });

  view.renderLauncher();
  view.renderSubtitle();
  bindEvents({ nodes: view.nodes, state, view, chat, connection });
  const mount = () => document.body.append(view.nodes.host);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
  chat.resume();
  // Before any open: a conversation started from now on carries the tag's identity, and a
  // resumed one is identified (or dropped when it is someone else's).
  chat.identifyAs(identityFromEmbed(embed.customer));

  return Object.freeze({
    open: () => chat.openPanel(),
    close: () => chat.closePanel({ restoreFocus: false }),
    isOpen: () => state.open,
    track: (goal) => {
      goals.add(goal);
      goals.flush(config, state.conversation);
    },
    identify: (customer) => chat.identify(customer),
  });
}

/** Keyboard, pointer and network events → chat actions. */
function bindEvents({ nodes, state, view, chat, connection }) {
  nodes.launcher.addEventListener("click", () => (state.open ? chat.closePanel({ restoreFocus: true }) : chat.openPanel()));
  nodes.closeButton.addEventListener("click", () => chat.closePanel({ restoreFocus: true }));
  nodes.host.shadowRoot.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.open && !event.isComposing) {
      event.preventDefault();
      chat.closePanel({ restoreFocus: true });
    }
  });
  nodes.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    chat.submitInput();
  });
  nodes.input.addEventListener("keydown", (event) => {
    // isComposing: Enter also confirms an IME candidate, which must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      chat.submitInput();
    }
  });
  nodes.input.addEventListener("input", () => {
    view.autoResize();
    view.renderComposerState();
    chat.noteTyping();
  });
  // The shared socket follows the browser's online/offline events itself.
}
