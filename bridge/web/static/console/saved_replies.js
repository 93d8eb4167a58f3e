/**
 * The saved-replies manager: a modal dialog opened from the console's header. It lists the
 * shared replies and the agent's own (filter by text, show all / shared / mine), with the
 * English and Hungarian texts side by side, and adds, edits and deletes them. Agents keep
 * their own; the shared ones are the admins' (the bridge enforces it, the form only says so).
 *
 * The form checks what the bridge would refuse before sending (shortcut, title, texts, their
 * length and placeholders), so the agent reads why in their own language; what the bridge
 * still refuses (a shortcut taken, someone else's newer version) is shown the same way.
 */

import { api } from "./api.js";
import { byId, el, textEl } from "../shared/dom.js";
import { PLACEHOLDERS, placeholderProblems } from "./placeholders.js";
import { fold } from "./saved_replies_store.js";

const LANGUAGES = ["en", "hu"];
const SHORTCUT = /^[a-z0-9_-]{1,32}$/;
const length = (text) => Array.from(text.trim()).length; // code points, as the bridge counts

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {ReturnType<import("./saved_replies_store.js").createSavedRepliesStore>} options.store
 * @param {(text: string) => void} options.announce
 */
export function createSavedRepliesManager({ t, store, announce }) {
  const s = t.savedReplies;
  const dialog = byId("saved-replies-dialog");
  const opener = byId("saved-replies-button");
  let editing = null; // the reply being edited; null while adding one
  let armedDelete = null; // the delete button pressed once

  const field = (tag, id, attributes) => el(tag, "sv-field", { id, ...attributes });
  const labelled = (labelText, control, hint) => {
    const wrap = el("div", "sv-control");
    wrap.append(textEl("label", "", labelText, { for: control.id }), control);
    if (hint) wrap.append(hint);
    return wrap;
  };

  // --- the skeleton, built once -------------------------------------------------------------
  const heading = textEl("h2", "sv-heading", s.title, { id: "sv-heading" });
  const closeButton = textEl("button", "sv-close", "×", { type: "button", "aria-label": s.close, "data-testid": "saved-replies-close" });
  const filter = field("input", "sv-filter", { type: "search", autocomplete: "off", placeholder: s.filterPlaceholder, "data-testid": "saved-replies-filter" });
  const scope = field("select", "sv-scope", { "data-testid": "saved-replies-scope" });
  for (const [value, text] of Object.entries(s.scopes)) scope.append(textEl("option", "", text, { value }));
  const addButton = textEl("button", "button primary small", s.add, { type: "button", "data-testid": "saved-reply-new" });
  const status = el("p", "sv-status", { role: "status" });
  const list = el("ul", "sv-list", { "data-testid": "saved-replies-list", "aria-labelledby": "sv-heading" });
  const listView = el("div", "sv-view");
  const tools = el("div", "sv-tools");
  tools.append(labelled(s.filter, filter), labelled(s.scope, scope), addButton);
  listView.append(tools, status, list);

  const form = el("form", "sv-view sv-form", { novalidate: "", "data-testid": "saved-reply-form" });
  const formTitle = el("h3", "sv-form-title", { id: "sv-form-title" });
  form.setAttribute("aria-labelledby", "sv-form-title");
  const shortcutHint = textEl("p", "hint", s.shortcutHint, { id: "sv-shortcut-hint" });
  const shortcut = field("input", "sv-shortcut", { autocomplete: "off", spellcheck: "false", maxlength: "32", "aria-describedby": "sv-shortcut-hint", "data-testid": "saved-reply-shortcut" });
  const title = field("input", "sv-title", { autocomplete: "off", maxlength: "120", "data-testid": "saved-reply-title" });
  const shared = field("select", "sv-shared", { "data-testid": "saved-reply-scope" });
  shared.append(textEl("option", "", s.scopePersonal, { value: "personal" }), textEl("option", "", s.scopeShared, { value: "shared" }));
  const sharedHint = textEl("p", "hint", s.sharedAdminsOnly, { id: "sv-shared-hint" });
  const texts = {};
  const counters = {};
  const columns = el("div", "sv-columns");
  for (const code of LANGUAGES) {
    counters[code] = el("p", "counter", { id: `sv-counter-${code}`, "aria-live": "polite" });
    texts[code] = field("textarea", `sv-text-${code}`, { rows: "6", lang: code, "aria-describedby": `sv-text-hint sv-counter-${code}`, "data-testid": `saved-reply-text-${code}` });
    texts[code].addEventListener("input", () => renderCounter(code));
    columns.append(labelled(s.texts[code], texts[code], counters[code]));
  }
  const error = el("p", "sv-error", { role: "alert", "data-testid": "saved-reply-error" });
  const buttons = el("div", "sv-buttons");
  const saveButton = textEl("button", "button primary", s.save, { type: "submit", "data-testid": "saved-reply-save" });
  const cancelButton = textEl("button", "button", s.cancel, { type: "button" });
  buttons.append(saveButton, cancelButton);
  form.append(formTitle, labelled(s.shortcut, shortcut, shortcutHint), labelled(s.replyTitle, title),
    labelled(s.scopeLabel, shared, sharedHint), textEl("p", "hint", s.textHint, { id: "sv-text-hint" }), columns, error, buttons);

  const help = el("details", "sv-help", { "data-testid": "saved-replies-placeholders" });
  help.append(textEl("summary", "", s.placeholdersTitle), textEl("p", "hint", s.placeholdersIntro));
  const helpList = el("dl", "sv-help-list");
  for (const name of PLACEHOLDERS) {
    helpList.append(textEl("dt", "", `{${name}}`), textEl("dd", "", s.placeholderHelp[name]));
  }
  help.append(helpList);
  const head = el("div", "sv-head");
  head.append(heading, closeButton);
  dialog.setAttribute("aria-labelledby", "sv-heading");
  dialog.replaceChildren(head, listView, form, help);
  form.hidden = true;

  // --- the list -----------------------------------------------------------------------------
  function renderText(reply, code) {
    const column = el("div", "sv-text");
    column.append(textEl("span", "sv-lang", s.texts[code]));
    const text = reply[`text_${code}`];
    column.append(text ? textEl("p", "pre", text, { lang: code }) : textEl("p", "muted", s.missing[code]));
    return column;
  }

  function renderItem(reply) {
    const item = el("li", "sv-item", { "data-testid": "saved-reply", "data-shortcut": reply.shortcut, "data-reply-id": String(reply.id) });
    const top = el("div", "sv-item-head");
    top.append(textEl("code", "sv-shortcut-code", `/${reply.shortcut}`), " ", textEl("strong", "", reply.title), " ",
      textEl("span", reply.shared ? "badge" : "badge muted", reply.shared ? s.shared : s.personal));
    const both = el("div", "sv-columns");
    both.append(...LANGUAGES.map((code) => renderText(reply, code)));
    item.append(top, both);
    if (reply.editable) {
      const actions = el("div", "sv-actions");
      const edit = textEl("button", "button small", s.edit, { type: "button", "aria-label": s.editLabel(reply.shortcut), "data-testid": "saved-reply-edit" });
      edit.addEventListener("click", () => showForm(reply));
      const remove = textEl("button", "button small danger", s.delete, { type: "button", "aria-label": s.deleteLabel(reply.shortcut), "data-testid": "saved-reply-delete" });
      remove.addEventListener("click", () => removeReply(reply, remove));
      remove.addEventListener("blur", () => disarm(remove, reply));
      actions.append(edit, remove);
      item.append(actions);
    }
    return item;
  }

  function renderList() {
    const state = store.get();
    const wanted = fold(filter.value.trim());
    const shown = state.replies.filter((reply) => {
      if (scope.value === "shared" && !reply.shared) return false;
      if (scope.value === "mine" && reply.shared) return false;
      return !wanted || fold(`${reply.shortcut}\n${reply.title}\n${reply.text_en || ""}\n${reply.text_hu || ""}`).includes(wanted);
    });
    list.replaceChildren(...shown.map(renderItem));
    if (!state.loaded) status.textContent = s.loading;
    else if (!state.replies.length) status.textContent = s.empty;
    else status.textContent = shown.length ? s.count(shown.length) : s.noneMatch;
  }

  // --- the form -----------------------------------------------------------------------------
  function renderCounter(code) {
    const max = store.get().maxChars;
    const used = length(texts[code].value);
    counters[code].textContent = t.counter(used, max);
    counters[code].classList.toggle("over", used > max);
    texts[code].setAttribute("aria-invalid", String(used > max));
  }

  function fill(reply) {
    shortcut.value = reply?.shortcut || "";
    title.value = reply?.title || "";
    for (const code of LANGUAGES) {
      texts[code].value = reply?.[`text_${code}`] || "";
      renderCounter(code);
    }
    shared.value = reply?.shared ? "shared" : "personal";
  }

  function showForm(reply) {
    editing = reply;
    fill(reply);
    formTitle.textContent = reply ? s.editTitle(reply.shortcut) : s.newTitle;
    // The scope is chosen once; agents cannot choose "shared" at all.
    shared.disabled = Boolean(reply) || !store.get().canEditShared;
    sharedHint.hidden = store.get().canEditShared;
    error.textContent = "";
    listView.hidden = true;
    form.hidden = false;
    shortcut.focus();
  }

  function showList(focusId) {
    editing = null;
    form.hidden = true;
    listView.hidden = false;
    renderList();
    const target = focusId !== undefined ? list.querySelector(`[data-reply-id="${focusId}"] button`) : null;
    (target || addButton).focus();
  }

  /** The first thing the bridge would refuse, in the agent's language, or "". */
  function problem(values) {
    if (!SHORTCUT.test(values.shortcut)) return s.errors.shortcut;
    if (!values.title.trim()) return s.errors.title;
    if (!LANGUAGES.some((code) => values[`text_${code}`].trim())) return s.errors.noText;
    for (const code of LANGUAGES) {
      const text = values[`text_${code}`];
      if (length(text) > store.get().maxChars) return s.errors.tooLong(code, length(text), store.get().maxChars);
      const found = placeholderProblems(text);
      if (found.unknown.length) return s.errors.unknown(code, found.unknown.join(", "));
      if (found.malformed.length) return s.errors.malformed(code, found.malformed.join(", "));
    }
    return "";
  }

  function refusal(result, { deleting = false } = {}) {
    const body = result.body || {};
    if (result.status === 0) return t.networkError;
    if (result.status === 409 && body.code === "shortcut_taken") return s.errors.taken(shortcut.value.trim());
    if (result.status === 409 && body.code === "stale") return deleting ? s.errors.staleDelete : s.errors.stale;
    if (result.status === 409 && body.code === "too_many") return s.errors.tooMany;
    if (result.status === 403) return s.errors.forbidden;
    if (result.status === 404) return s.errors.gone;
    if (result.status === 422 && typeof body.detail === "string") return s.errors.refused(body.detail);
    return t.genericError;
  }

  async function save() {
    const values = {
      shortcut: shortcut.value.trim().replace(/^\//, ""),
      title: title.value,
      text_en: texts.en.value,
      text_hu: texts.hu.value,
    };
    const found = problem(values);
    if (found) {
      error.textContent = found;
      return;
    }
    saveButton.disabled = true;
    const result = editing
      ? await api.updateSavedReply(editing.id, { ...values, version: editing.version })
      : await api.createSavedReply({ ...values, shared: shared.value === "shared" });
    saveButton.disabled = false;
    if (!result.ok) {
      error.textContent = refusal(result);
      if (result.body?.code === "stale" && result.body.current) {
        editing = result.body.current; // their version, to redo the change on
        fill(editing);
      }
      if (result.status === 404) await store.reload();
      return;
    }
    await store.reload();
    announce(s.saved(result.body.shortcut));
    showList(result.body.id);
  }

  // --- delete: pressed twice, so a slip of the mouse deletes nothing -------------------------
  function disarm(button, reply) {
    if (armedDelete !== button) return;
    armedDelete = null;
    button.textContent = s.delete;
    button.setAttribute("aria-label", s.deleteLabel(reply.shortcut));
  }

  async function removeReply(reply, button) {
    if (armedDelete !== button) {
      armedDelete = button;
      button.textContent = s.confirmDelete;
      button.setAttribute("aria-label", s.confirmDeleteLabel(reply.shortcut));
      return;
    }
    armedDelete = null;
    button.disabled = true;
    const result = await api.deleteSavedReply(reply.id, reply.version);
    if (!result.ok) {
      button.disabled = false;
      disarm(button, reply);
      await store.reload(); // shows the reply as it is now (or without it, when it is gone)
      status.textContent = refusal(result, { deleting: true });
      return;
    }
    await store.reload();
    announce(s.deleted(reply.shortcut));
    addButton.focus();
  }

  // --- wiring -------------------------------------------------------------------------------
  async function open() {
    if (!dialog.open) dialog.showModal();
    showList();
    const result = await store.reload();
    if (!result.ok) status.textContent = s.loadFailed;
  }

  opener.addEventListener("click", open);
  closeButton.addEventListener("click", () => dialog.close());
  addButton.addEventListener("click", () => showForm(null));
  cancelButton.addEventListener("click", () => showList(editing?.id));
  filter.addEventListener("input", renderList);
  scope.addEventListener("change", renderList);
  shortcut.addEventListener("input", () => {
    // Shortcuts are lower case: typed capitals are simply lowered, not refused.
    const lowered = shortcut.value.toLowerCase();
    if (lowered !== shortcut.value) shortcut.value = lowered;
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  // Escape in the form goes back to the list; in the list it closes the dialog (the default).
  dialog.addEventListener("cancel", (event) => {
    if (!form.hidden) {
      event.preventDefault();
      showList(editing?.id);
    }
  });
  store.subscribe(() => {
    if (dialog.open && form.hidden) renderList();
  });

  return { open };
}
