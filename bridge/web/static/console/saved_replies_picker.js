/**
 * The "/" picker of the reply box. Typing "/" at the start of the reply or after a space opens
 * a list of saved replies under the caret's line, filtered as the agent types ("/ref" finds
 * /refund, also by title or text); Up and Down move, Enter or Tab insert the text in the chat's
 * language with its placeholders filled in (placeholders.js), replacing "/ref"; Escape closes.
 * While the list is open, Enter never sends the message.
 *
 * ARIA: the reply box stays a multi-line textbox (a textarea cannot take the combobox role),
 * with the attributes the combobox pattern gives its input that a textbox supports:
 * aria-autocomplete="list", aria-haspopup="listbox", aria-controls and aria-activedescendant
 * pointing at the listbox's options; a polite live region says how many replies match.
 */

import { byId, el, textEl } from "../shared/dom.js";
import { fillPlaceholders, placeholderValues } from "./placeholders.js";
import { matchReplies, variantFor } from "./saved_replies_store.js";

const MAX_SHOWN = 8;
const PREVIEW_CHARS = 90;
// "/" at the start or after whitespace, then the query up to the caret (no spaces, no "/").
const TRIGGER = /(^|\s)\/([^\s/]*)$/u;

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang  the console's language: for chats whose language is unknown
 * @param {string} options.agentName  for {agent}
 * @param {ReturnType<import("./compose.js").createCompose>} options.compose
 * @param {ReturnType<import("./saved_replies_store.js").createSavedRepliesStore>} options.store
 * @param {() => ?object} options.activeChat  the chat the reply goes to (chats.js's model)
 * @param {(text: string) => void} options.announce  a polite screen-reader message
 */
export function createSavedRepliesPicker({ t, lang, agentName, compose, store, activeChat, announce }) {
  const input = byId("compose");
  const listbox = byId("saved-reply-picker");
  let open = false;
  let matches = [];
  let selected = 0;
  let trigger = null; // {start, end, query}: the "/query" being replaced
  let dismissedAt = -1; // Escape closed the list for the "/" at this index
  let loadFailed = false;

  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-haspopup", "listbox");
  input.setAttribute("aria-controls", listbox.id);

  const chatLanguage = () => {
    const language = activeChat()?.language;
    return language === "en" || language === "hu" ? language : lang;
  };

  /** The "/query" right before the caret, or null. */
  function findTrigger() {
    if (input.selectionStart !== input.selectionEnd) return null;
    const caret = input.selectionStart;
    const found = TRIGGER.exec(input.value.slice(0, caret));
    if (!found) return null;
    const start = found.index + found[1].length;
    return { start, end: caret, query: found[2] };
  }

  function preview(text) {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
  }

  function renderOption(reply, index, language) {
    const variant = variantFor(reply, language);
    const option = el("li", "picker-option", {
      role: "option",
      id: `saved-reply-option-${index}`,
      "aria-selected": String(index === selected),
      "data-testid": "saved-reply-option",
      "data-shortcut": reply.shortcut,
    });
    const head = el("span", "picker-head");
    head.append(textEl("span", "picker-shortcut", `/${reply.shortcut}`), " ",
      textEl("span", "picker-title", reply.title));
    if (reply.shared) head.append(" ", textEl("span", "badge", t.savedReplies.shared));
    if (variant.fallback) {
      head.append(" ", textEl("span", "badge warn", t.savedReplies.onlyIn(variant.language), {
        "data-testid": "saved-reply-fallback",
      }));
    }
    option.append(head, textEl("span", "picker-preview", preview(variant.text)));
    // mousedown, not click: the reply box keeps the focus (and the caret) while choosing.
    option.addEventListener("mousedown", (event) => {
      event.preventDefault();
      selected = index;
      insert();
    });
    return option;
  }

  function render() {
    const language = chatLanguage();
    if (!matches.length) {
      let none = t.savedReplies.noMatch(trigger?.query || "");
      if (!state().loaded) none = loadFailed ? t.savedReplies.loadFailed : t.savedReplies.loading;
      listbox.replaceChildren(textEl("li", "picker-empty", none, { role: "option", "aria-disabled": "true", id: "saved-reply-none" }));
      input.removeAttribute("aria-activedescendant");
      return;
    }
    listbox.replaceChildren(...matches.map((reply, index) => renderOption(reply, index, language)));
    const current = byId(`saved-reply-option-${selected}`);
    input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  }

  const state = () => store.get();

  function show() {
    const before = open ? matches.map((reply) => reply.id).join() : null;
    matches = matchReplies(state().replies, trigger.query, MAX_SHOWN);
    if (matches.map((reply) => reply.id).join() !== before) selected = 0;
    selected = Math.min(selected, Math.max(matches.length - 1, 0));
    const wasOpen = open;
    open = true;
    listbox.hidden = false;
    render();
    if (!wasOpen || before !== matches.map((reply) => reply.id).join()) {
      announce(matches.length ? t.savedReplies.matches(matches.length) : t.savedReplies.noMatch(trigger.query));
    }
  }

  function close() {
    if (!open) return;
    open = false;
    trigger = null;
    listbox.hidden = true;
    listbox.replaceChildren();
    input.removeAttribute("aria-activedescendant");
  }

  /** Closes the list for this "/": typing on does not reopen it, a new "/" does. */
  function dismiss() {
    dismissedAt = trigger ? trigger.start : -1;
    close();
  }

  /** After every edit or caret move: open, refilter or close. */
  function update() {
    const found = findTrigger();
    if (!found) {
      dismissedAt = -1;
      close();
      return;
    }
    if (found.start === dismissedAt) return;
    trigger = found;
    if (!state().loaded) {
      loadFailed = false;
      store.reload().then((result) => {
        loadFailed = !result.ok;
        if (open && loadFailed) render(); // a good load re-renders through subscribe()
      });
    }
    show();
  }

  function move(step) {
    if (!matches.length) return;
    selected = (selected + step + matches.length) % matches.length;
    render();
  }

  function insert() {
    const reply = matches[selected];
    const now = findTrigger();
    if (!reply || !now || !trigger || now.start !== trigger.start) {
      close();
      return;
    }
    const chat = activeChat();
    const variant = variantFor(reply, chatLanguage());
    const values = placeholderValues({ chat, agentName, language: variant.language });
    close();
    compose.replaceRange(now.start, now.end, fillPlaceholders(variant.text, values));
    announce(t.savedReplies.inserted(reply.shortcut));
  }

  compose.interceptKeys((event) => {
    if (!open || event.isComposing || event.keyCode === 229) return false;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
        return true;
      case "Enter":
      case "Tab":
        if (event.shiftKey && event.key === "Tab") return false; // leaves the box as usual
        event.preventDefault();
        if (matches.length) insert();
        else dismiss(); // nothing to insert: the list goes, the text stays, nothing is sent
        return true;
      case "Escape":
        event.preventDefault();
        event.stopPropagation(); // the list closes, not whatever Escape does on the page
        dismiss();
        return true;
      default:
        return false;
    }
  });
  input.addEventListener("input", update);
  input.addEventListener("click", update);
  input.addEventListener("keyup", (event) => {
    // Up and Down move in the list while it is open; otherwise they move the caret.
    const caretKeys = open ? ["ArrowLeft", "ArrowRight", "Home", "End"] : ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];
    if (caretKeys.includes(event.key)) update();
  });
  input.addEventListener("blur", close);
  store.subscribe(() => {
    if (open) show();
  });

  return { close, isOpen: () => open };
}
