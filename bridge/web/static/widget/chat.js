/**
 * What the customer does and what happens to their conversation: opening and closing the
 * panel, sending messages, typing notifications, and the conversation's life cycle (resume
 * from storage, create on first need, forget and restart when the bridge no longer accepts it).
 *
 * A conversation is created only when the customer opens the widget or sends something,
 * never on page load, so merely visiting the shop costs the bridge nothing.
 */

import { uuid } from "../shared/uuid.js";
import { GONE, createConversation, fetchTranscript, identifyConversation } from "./http.js";
import { normaliseIdentity } from "./identity.js";
import { MAX_LENGTH, codePointLength } from "./limits.js";
import { visitorId } from "./storage.js";

const TYPING_THROTTLE_MS = 3000;
const TYPING_IDLE_MS = 5000;

/**
 * @param {object} options
 * @param {import("./config.js").Config} options.config
 * @param {object} options.t  UI strings for config.lang
 * @param {object} options.state  the shared state (state.js)
 * @param {ReturnType<import("./view.js").createView>} options.view
 * @param {ReturnType<import("./transcript.js").createTranscript>} options.transcript
 * @param {ReturnType<import("./storage.js").conversationStore>} options.store
 * @param {ReturnType<import("./connection.js").createConnection>} options.connection
 */
export function createChat({ config, t, state, view, transcript, store, connection }) {
  const { nodes } = view;

  // -- Conversation life cycle ------------------------------------------------------------

  /** The current conversation, creating one at most once even if called concurrently. */
  function ensureConversation() {
    if (state.conversation) return Promise.resolve(state.conversation);
    if (!state.creating) {
      state.creating = createAndStore().finally(() => {
        state.creating = null;
      });
    }
    return state.creating;
  }

  async function createAndStore() {
    const customer = state.customer;
    const conversation = await createConversation(config, visitorId(), customer);
    store.save(conversation);
    state.conversation = conversation;
    // The page named its customer while the conversation was being created.
    if (state.customer && state.customer !== customer) identifyAs(state.customer);
    return conversation;
  }

  /**
   * Loads the transcript of a stored conversation. A conversation the bridge no longer knows
   * is forgotten, and a new one starts on the next open/send. Other failures are left to the
   * socket, which replays the transcript anyway.
   */
  async function restore(conversation) {
    const body = await fetchTranscript(config, conversation);
    try {
      if (body === GONE) {
        forgetConversation();
        return;
      }
      if (body && Array.isArray(body.messages)) transcript.addHistory(body.messages);
      if (body) transcript.setStatus(body.status);
    } catch {
      // A malformed body: the socket's replay fills the transcript in.
    }
  }

  /** Continues the conversation stored by an earlier page view, if there is one. */
  function resume() {
    const stored = store.load();
    if (!stored) return;
    state.conversation = stored;
    state.restoring = restore(stored).finally(() => {
      state.restoring = null;
    });
    connection.connect();
  }

  /**
   * The host page says who is signed in. A new conversation carries the identity; a running one
   * is identified now, and one that belongs to someone else (another person signed in on this
   * browser) is dropped, so that the next open starts this customer's own.
   *
   * @param {?import("./identity.js").Identity} identity  already normalised (identity.js)
   */
  async function identifyAs(identity) {
    if (!identity) return;
    state.customer = identity;
    const conversation = state.conversation;
    if (!conversation) return;
    if (state.restoring) await state.restoring;
    if (state.conversation !== conversation) return;
    const outcome = await identifyConversation(config, conversation, identity);
    if (outcome === "conflict" && state.conversation === conversation) forgetConversation();
  }

  /** SupportWidget.identify(...): the page's raw object, checked first. */
  function identify(raw) {
    return identifyAs(normaliseIdentity(raw));
  }

  /** Drops a conversation the bridge no longer accepts, along with its socket and transcript. */
  function forgetConversation() {
    store.remove();
    state.conversation = null;
    connection.closeSocket();
    transcript.clear();
  }

  /**
   * The token or conversation is no longer valid: start a new conversation. Customers who have
   * not opened the widget in this page view get theirs on the next open/send instead.
   */
  function restartConversation() {
    const hadTranscript = state.seen.size > 0;
    forgetConversation();
    // A bridge that rejects even brand-new tokens must not get a new conversation every 0.5 s.
    connection.backOff(state.restarts);
    state.restarts += 1;
    if (hadTranscript) view.showNotice(t.restarted);
    if (state.activated || state.outbox.length) connection.scheduleReconnect();
    else view.renderStatusLine();
  }

  // -- Sending and typing -----------------------------------------------------------------

  /** Typing state belongs to a socket: after it is gone, nobody is typing on either side. */
  function onDisconnected() {
    state.typingOn = false;
    view.setRemoteTyping("bot", false);
  }

  /**
   * Queues a customer message and sends it when the socket is up. Nothing is rendered here:
   * the message appears when the server echoes it, so the transcript matches the server's.
   * Returns whether the message was accepted for sending.
   */
  function sendMessage(text, payload) {
    const clean = String(text).trim();
    if (!clean) return false;
    if (codePointLength(clean) > MAX_LENGTH) {
      view.showNotice(t.tooLong);
      return false;
    }
    const event = { type: "message", text: clean, client_id: uuid(), language: config.lang };
    if (payload) event.payload = payload;
    stopTyping();
    state.activated = true;
    state.outbox.push({ event, socket: null });
    if (state.connected) connection.flushOutbox();
    else connection.reconnectNow();
    return true;
  }

  /** Tells the other side the customer is typing: at most every 3 s, and "off" after 5 s idle. */
  function noteTyping() {
    clearTimeout(state.typingIdleTimer);
    if (!nodes.input.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - state.typingSentAt >= TYPING_THROTTLE_MS && connection.sendEvent({ type: "typing", on: true })) {
      state.typingOn = true;
      state.typingSentAt = now;
    }
    state.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(state.typingIdleTimer);
    state.typingSentAt = 0;
    if (state.typingOn) connection.sendEvent({ type: "typing", on: false });
    state.typingOn = false;
  }

  /** Sends what is in the composer and empties it, unless the message was refused. */
  function submitInput() {
    if (sendMessage(nodes.input.value)) {
      nodes.input.value = "";
      view.autoResize();
      view.renderComposerState();
    }
  }

  // -- Open / close -----------------------------------------------------------------------

  /** Opening is the moment a conversation may be created (never on mere page load). */
  function openPanel() {
    state.activated = true;
    if (!state.open) {
      state.open = true;
      state.unread = 0;
      nodes.panel.hidden = false;
      view.renderLauncher();
      view.scrollToBottom();
    }
    nodes.input.focus({ preventScroll: true });
    connection.reconnectNow();
  }

  /** `restoreFocus` is for keyboard/close-button use; an API call must not steal the host page's focus. */
  function closePanel({ restoreFocus }) {
    if (!state.open) return;
    const focusWasInside = nodes.host.shadowRoot.activeElement !== null;
    state.open = false;
    nodes.panel.hidden = true;
    stopTyping();
    view.renderLauncher();
    if (restoreFocus || focusWasInside) nodes.launcher.focus();
  }

  return {
    ensureConversation,
    resume,
    restartConversation,
    onDisconnected,
    sendMessage,
    noteTyping,
    stopTyping,
    submitInput,
    openPanel,
    closePanel,
    identify,
    identifyAs,
  };
}
