/**
 * Entry point of the agent console: reads who is signed in from <body>'s data attributes,
 * builds the pieces and wires them together. console.html loads this as a module, so the
 * DOM is parsed by the time it runs.
 *
 * Who does what:
 *   api.js           the staff REST API (cookies, CSRF header, 401 → sign-in)
 *   socket.js        the /ws/agent websocket: pings, backoff, reconnects
 *   queue.js         the live queue; notify.js gets attention for new customers
 *   chats.js         claiming, tabs (tabs.js), per-chat events; transcript.js per chat
 *   compose.js, notes.js, kb_panel.js, context_panel.js: the active chat's panels
 *   presence.js      the agent's status and heartbeat; offline_requests.js: messages left
 *                    and missed chats (customers who left the queue's page for good)
 *   shortcuts.js     the keyboard shortcuts and their help dialog
 *   saved_replies_store.js, saved_replies_picker.js ("/" in the reply box), saved_replies.js
 *                    (the manager dialog); placeholders.js fills a reply's {name}s from the chat
 *   transfer.js      passing a chat to a colleague or the queue (transfer_dialog.js), and
 *                    the offers colleagues make (transfer_offers.js)
 *   notice.js        errors and confirmations
 *   format.js, storage.js, strings.js: leaf helpers (../shared/ holds dom.js, uuid.js and the socket)
 */

import { api, LOGIN_URL } from "./api.js";
import { createChats } from "./chats.js";
import { createCompose } from "./compose.js";
import { createContextPanel } from "./context_panel.js";
import { byId } from "../shared/dom.js";
import { createKbPanel } from "./kb_panel.js";
import { createNotes } from "./notes.js";
import { createNotice } from "./notice.js";
import { createNotifier } from "./notify.js";
import { createOfflineRequests } from "./offline_requests.js";
import { createPresence } from "./presence.js";
import { createQueue } from "./queue.js";
import { createSavedRepliesManager } from "./saved_replies.js";
import { createSavedRepliesPicker } from "./saved_replies_picker.js";
import { createSavedRepliesStore } from "./saved_replies_store.js";
import { createShortcuts } from "./shortcuts.js";
import { createSocket } from "./socket.js";
import { STRINGS } from "./strings.js";
import { createTransfers } from "./transfer.js";

function start() {
  const { dataset } = document.body;
  const lang = dataset.lang === "hu" ? "hu" : "en";
  const agentId = Number(dataset.agentId);
  const t = STRINGS[lang];

  const notice = createNotice();
  const notifier = createNotifier({ t, soundToggle: byId("sound-toggle"), live: byId("live-polite") });
  const context = createContextPanel({ t, lang });
  const notes = createNotes({ t, lang, notice });
  // compose, kb and queue call into `chats`, which needs them first; their callbacks only
  // run on user or socket events, after start() has created `chats`.
  const compose = createCompose({
    t,
    onSend: (text) => chats.sendMessage(text),
    onTyping: (on) => chats.sendTyping(on),
  });
  const kb = createKbPanel({
    t,
    lang,
    onInsert: (markdown, title) => {
      compose.insertAtCursor(markdown);
      notifier.announce(t.linkInserted(title));
    },
  });
  // Saved replies: the "/" picker of the reply box and the manager dialog share one list.
  const savedReplies = createSavedRepliesStore();
  const announce = (text) => notifier.announce(text);
  createSavedRepliesPicker({
    t, lang, agentName: dataset.agentName || "", compose, store: savedReplies, activeChat: () => chats.active(), announce,
  });
  createSavedRepliesManager({ t, store: savedReplies, announce }); // returns {open} for a shortcut
  const queue = createQueue({
    t,
    lang,
    agentId,
    list: byId("queue"),
    empty: byId("queue-empty"),
    count: byId("queue-count"),
    notifier,
    onClaim: (handoff, button) => chats.claim(handoff, button),
    onOpen: (handoff) => chats.open(handoff.conversation_id, { handoff, focusCompose: true }),
  });

  let snapshotSeen = false;
  const socket = createSocket({
    handlers: {
      open: () => {
        chats.onConnected();
        transfers.sync();
      },
      event: (data) => dispatch(data),
      changed: (state) => {
        renderConnection(state);
        if (state !== "open") chats.onDisconnected();
      },
    },
  });
  const chats = createChats({
    t, lang, agentId, socket, queue, notice, notifier, compose, notes, context, kb, onRender: (chat) => transfers.onRender(chat),
  });
  const transfers = createTransfers({ t, agentId, notice, notifier, chats });

  function dispatch(data) {
    switch (data.type) {
      case "queue":
        snapshotSeen = true;
        queue.setSnapshot(data.handoffs);
        chats.syncHandoffs(queue.handoffs());
        break;
      case "handoff_new":
        queue.addNew(data.handoff);
        break;
      case "missed_chat":
      case "missed_chat_handled":
        offline.onEvent();
        break;
      case "message":
      case "typing":
      case "status":
      case "customer_presence":
      case "error":
        chats.onEvent(data);
        break;
      default:
        if (data.type.startsWith("transfer_")) transfers.onEvent(data);
        break; // "hello" and anything newer than this console
    }
  }

  const connection = byId("connection-status");
  function renderConnection(state) {
    connection.dataset.state = state;
    connection.textContent = { open: t.connected, reconnecting: t.reconnecting }[state] || t.connecting;
  }

  createShortcuts({ t, button: byId("shortcuts-button"), actions: { focusReply: () => compose.focus() } });
  const presence = createPresence({ t, notice });
  const offline = createOfflineRequests({ t, lang });

  const signOut = byId("sign-out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    const result = await api.logout();
    if (result.ok) {
      presence.stop();
      window.location.assign(LOGIN_URL);
      return;
    }
    signOut.disabled = false;
    notice.show(t.signOutFailed);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.isComposing && notice.isOpen()) notice.dismiss();
  });

  // The HTTP queue fills the list at once; a websocket snapshot, when it came first, is newer.
  api.queue().then((result) => {
    if (!snapshotSeen && result.ok && Array.isArray(result.body?.handoffs)) {
      queue.setSnapshot(result.body.handoffs);
      chats.syncHandoffs(queue.handoffs());
    }
  });
  renderConnection("connecting");
  socket.connect();
  presence.start();
  offline.start();
  savedReplies.reload();
  chats.restore();
}

start();
