/**
 * Private notes on the active chat: visible to staff only, never sent to the customer. The
 * list comes with the conversation (GET /api/staff/conversations/{id}); a new note is
 * appended from the server's answer, so what is shown is what was stored.
 */

import { byId, el, textEl } from "../shared/dom.js";
import { fullTime } from "./format.js";
import { api } from "./api.js";

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 * @param {ReturnType<import("./notice.js").createNotice>} options.notice
 */
export function createNotes({ t, lang, notice }) {
  const list = byId("notes-list");
  const empty = byId("notes-empty");
  const form = byId("note-form");
  const input = byId("note-input");
  const submit = byId("note-submit");
  let chat = null;

  const isNote = (note) => note && typeof note.text === "string";

  function renderNote(note) {
    const item = el("li", "note", { "data-testid": "note", "data-note-id": String(note.id ?? "") });
    const meta = el("div", "note-meta");
    meta.append(textEl("span", "note-author", note.author || t.unknown));
    const when = fullTime(note.created_at, lang);
    if (when) meta.append(textEl("time", "note-time", when, { datetime: note.created_at }));
    item.append(meta, textEl("p", "note-text", note.text));
    return item;
  }

  function render() {
    const notes = chat ? chat.notes.filter(isNote) : [];
    list.replaceChildren(...notes.map(renderNote));
    empty.hidden = notes.length > 0;
  }

  /** @param {?object} next  the active chat (chats.js), whose `notes` array this module appends to */
  function setChat(next) {
    chat = next;
    render();
  }

  async function add() {
    const text = input.value.trim();
    if (!chat) return;
    if (!text) {
      notice.show(t.noteEmpty);
      input.focus();
      return;
    }
    const target = chat;
    submit.disabled = true;
    const result = await api.addNote(target.id, text);
    submit.disabled = false;
    if (!result.ok || !isNote(result.body)) {
      notice.show(result.status === 0 ? t.networkError : t.noteFailed);
      return;
    }
    target.notes.push(result.body);
    if (target === chat) {
      input.value = "";
      render();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    add();
  });
  // Enter makes new lines in a note; Ctrl/Cmd+Enter saves it, as in most note fields.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
      event.preventDefault();
      add();
    }
  });

  return { setChat, render };
}
