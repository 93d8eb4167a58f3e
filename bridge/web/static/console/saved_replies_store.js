/**
 * The agent's saved replies as the console holds them: the shared ones and the agent's own,
 * loaded from GET /api/staff/saved-replies, kept for the "/" picker and the manager, and
 * reloaded after every change. Also the two rules both of them use: which reply matches what
 * the agent typed, and which text variant goes into a chat of a given language.
 */

import { api } from "./api.js";

const LANGUAGES = ["en", "hu"];

/** Lower case without accents, so "/visszateri" finds "visszatérítés". */
export function fold(text) {
  return String(text || "").normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * The text of `reply` for a chat in `language`, or the other language's when it has none;
 * `fallback` says which happened (the picker marks it).
 *
 * @returns {{text: string, language: string, fallback: boolean}}
 */
export function variantFor(reply, language) {
  const wanted = LANGUAGES.includes(language) ? language : "en";
  const own = reply[`text_${wanted}`];
  if (typeof own === "string" && own) return { text: own, language: wanted, fallback: false };
  const other = LANGUAGES.find((code) => code !== wanted);
  return { text: reply[`text_${other}`] || "", language: other, fallback: true };
}

/**
 * The replies that match `query` (what follows "/"), best first: the shortcut starts with it,
 * then contains it, then the title does, then either text does. An empty query lists all.
 */
export function matchReplies(replies, query, limit) {
  const wanted = fold(query);
  const ranked = [];
  for (const reply of replies) {
    const shortcut = fold(reply.shortcut);
    let rank = 4;
    if (shortcut.startsWith(wanted)) rank = 0;
    else if (shortcut.includes(wanted)) rank = 1;
    else if (fold(reply.title).includes(wanted)) rank = 2;
    else if (fold(`${reply.text_en || ""}\n${reply.text_hu || ""}`).includes(wanted)) rank = 3;
    if (rank < 4) ranked.push({ reply, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.reply.shortcut.localeCompare(b.reply.shortcut));
  return ranked.slice(0, limit).map((entry) => entry.reply);
}

export function createSavedRepliesStore() {
  const listeners = new Set();
  let state = { replies: [], placeholders: [], maxChars: 2000, canEditShared: false, loaded: false };
  let generation = 0;

  /** Loads the list again; resolves to the API result (ok false: the old list stays). An
   * answer that arrives after a newer request's is dropped, so a change is never undone. */
  async function reload() {
    generation += 1;
    const mine = generation;
    const result = await api.savedReplies();
    const body = result.body;
    if (mine === generation && result.ok && body && Array.isArray(body.replies)) {
      state = {
        replies: body.replies.filter((reply) => reply && typeof reply.shortcut === "string"),
        placeholders: Array.isArray(body.placeholders) ? body.placeholders : [],
        maxChars: Number(body.max_chars) || state.maxChars,
        canEditShared: Boolean(body.can_edit_shared),
        loaded: true,
      };
      for (const listener of listeners) listener(state);
    }
    return result;
  }

  return {
    reload,
    get: () => state,
    /** Calls `listener(state)` after every successful load. */
    subscribe: (listener) => listeners.add(listener),
  };
}
