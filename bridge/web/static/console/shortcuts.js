/**
 * The console's keyboard shortcuts: one table that both the key handler and the help dialog
 * ("?" or the header's "Shortcuts" button) read, so what is documented is what works.
 *
 * Alt combinations work everywhere, also while typing a reply (they type nothing useful in a
 * text field on any layout we support; `event.code` keeps them on the same physical key on a
 * Hungarian keyboard). Plain keys ("?") only act outside text fields. The actions press the
 * same buttons a mouse user would, so each keeps its confirmations, errors and focus rules.
 */

import { el, textEl } from "../shared/dom.js";

/**
 * @typedef {object} Shortcut
 * @property {string} keys  as shown to the agent
 * @property {string} code  KeyboardEvent.code
 * @property {boolean} alt  whether Alt is part of it
 * @property {string} label  key of the description in strings.js `shortcuts`
 * @property {(event: KeyboardEvent) => boolean} run  true when it did something
 */

/** The first waiting customer's claim button (the queue lists present customers first). */
const firstClaim = () => document.querySelector('#queue [data-testid="claim-button"]:not([disabled])');

/** Presses a button of the open chat if it is there and enabled. */
function press(selector) {
  const button = document.querySelector(selector);
  if (!button || button.disabled || button.hidden || button.closest("[hidden]")) return false;
  button.click();
  return true;
}

/** The n-th chat tab (1-based). */
function selectTab(n) {
  const tab = document.querySelectorAll('#chat-tabs [role="tab"]')[n - 1];
  if (!tab) return false;
  tab.click();
  tab.focus();
  return true;
}

/** @param {{focusReply: () => void}} actions @returns {Shortcut[]} */
function table(actions) {
  return [
    {
      keys: "Alt+N", code: "KeyN", alt: true, label: "nextWaiting",
      run: () => {
        const claim = firstClaim();
        if (!claim) return false;
        claim.scrollIntoView({ block: "nearest" });
        claim.focus();
        return true;
      },
    },
    {
      keys: "Alt+C", code: "KeyC", alt: true, label: "claim",
      run: () => {
        const claim = firstClaim();
        if (!claim) return false;
        claim.click();
        return true;
      },
    },
    { keys: "/", code: "Slash", alt: false, label: "savedReplies", run: () => false },
    { keys: "Alt+R", code: "KeyR", alt: true, label: "reply", run: () => (actions.focusReply(), true) },
    { keys: "Alt+B", code: "KeyB", alt: true, label: "handBack", run: () => press("#hand-back-button") },
    { keys: "Alt+T", code: "KeyT", alt: true, label: "transfer", run: () => press("#transfer-button") },
    // transfer_offers.js owns the key (it knows the offer cards); listed here so it is documented.
    { keys: "Alt+O", code: "KeyO", alt: true, label: "offers", run: () => false },
    { keys: "Alt+1 … Alt+9", code: "Digit", alt: true, label: "tab", run: () => false },
    { keys: "?", code: "", alt: false, label: "help", run: () => false },
    { keys: "Esc", code: "Escape", alt: false, label: "escape", run: () => false },
  ];
}

const isTextField = (node) =>
  node instanceof HTMLElement && (node.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName));

/**
 * @param {object} options
 * @param {object} options.t  UI strings (`t.shortcuts`)
 * @param {HTMLButtonElement} options.button  the header's "Shortcuts" button
 * @param {{focusReply: () => void}} options.actions
 */
export function createShortcuts({ t, button, actions }) {
  const shortcuts = table(actions);
  const dialog = buildDialog(t, shortcuts);
  document.body.append(dialog);

  function open() {
    if (!dialog.open) dialog.showModal();
  }

  button.addEventListener("click", open);
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey) return;
    if (event.altKey) {
      const digit = /^Digit([1-9])$/.exec(event.code);
      const handled = digit
        ? selectTab(Number(digit[1]))
        : shortcuts.some((s) => s.alt && s.code === event.code && s.run(event));
      if (handled || digit || shortcuts.some((s) => s.alt && s.code === event.code)) event.preventDefault();
      return;
    }
    if (event.key === "?" && !isTextField(event.target) && !dialog.open) {
      event.preventDefault();
      open();
    }
  });
  return { open, shortcuts };
}

function buildDialog(t, shortcuts) {
  const dialog = el("dialog", "shortcuts-dialog", { "aria-labelledby": "shortcuts-title", "data-testid": "shortcuts-dialog" });
  const list = el("dl", "shortcuts-list");
  for (const shortcut of shortcuts) {
    const row = el("div", "shortcut");
    const keys = el("dt");
    keys.append(textEl("kbd", null, shortcut.keys));
    row.append(keys, textEl("dd", null, t.shortcuts[shortcut.label]));
    list.append(row);
  }
  const close = textEl("button", "button", t.shortcuts.closeHelp, { type: "button", "data-testid": "shortcuts-close" });
  close.addEventListener("click", () => dialog.close());
  dialog.append(textEl("h2", "panel-title", t.shortcuts.title, { id: "shortcuts-title" }), list, close);
  return dialog;
}
