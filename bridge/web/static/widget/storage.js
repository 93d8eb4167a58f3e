/**
 * What the widget keeps in localStorage: an anonymous visitor id and the current conversation
 * (id + customer token), so a page reload or the next page of the shop continues the chat.
 *
 * localStorage throws in some privacy modes and sandboxed frames; every access is guarded and
 * the chat still works there, it just doesn't survive a page load.
 */

import { uuid } from "../shared/uuid.js";

const VISITOR_KEY = "northwind.visitor";
const CONVERSATION_KEY_PREFIX = "northwind.chat.v1:";

/** localStorage with failures turned into "nothing stored". */
const storage = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Not persisted: the conversation simply won't survive a page load.
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // Nothing stored, nothing to remove.
    }
  },
};

/** Persistent anonymous visitor id, so the bridge can tell returning visitors apart. */
export function visitorId() {
  let id = storage.get(VISITOR_KEY);
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) {
    id = uuid();
    storage.set(VISITOR_KEY, id);
  }
  return id;
}

/**
 * @typedef {object} Conversation
 * @property {string} conversation_id
 * @property {string} token  Customer bearer token for the HTTP API and the websocket.
 * @property {string} expires_at  ISO timestamp of the token's expiry ("" if the bridge sent none).
 */

/**
 * The stored conversation for one bridge. Keyed by the bridge's origin, so two shops that embed
 * different bridges on one site never hand each other's tokens around.
 *
 * @param {string} bridgeOrigin
 */
export function conversationStore(bridgeOrigin) {
  const key = CONVERSATION_KEY_PREFIX + bridgeOrigin;
  return {
    /** The stored conversation if it is well-formed and not yet expired; otherwise null. */
    load() {
      let stored;
      try {
        stored = JSON.parse(storage.get(key) || "null");
      } catch {
        stored = null;
      }
      const valid = stored && typeof stored.conversation_id === "string" && typeof stored.token === "string"
        && typeof stored.expires_at === "string";
      if (!valid || !(Date.parse(stored.expires_at) > Date.now())) {
        if (stored) storage.remove(key);
        return null;
      }
      return { conversation_id: stored.conversation_id, token: stored.token, expires_at: stored.expires_at };
    },
    /** @param {Conversation} conversation */
    save(conversation) {
      storage.set(key, JSON.stringify(conversation));
    },
    remove() {
      storage.remove(key);
    },
  };
}
