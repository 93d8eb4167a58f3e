/**
 * The row of open chats, following the WAI-ARIA tabs pattern: each tab is a button with
 * role="tab" and aria-selected, only the selected one is in the Tab order, and the arrow
 * keys, Home and End move between tabs. Each tab has its own small close button beside it
 * (a button cannot contain another), which closes the tab, not the conversation.
 */

import { el, textEl } from "../shared/dom.js";

/**
 * @typedef {object} TabInfo
 * @property {string} id  conversation id
 * @property {string} label
 * @property {string} title  longer text for the tooltip
 * @property {number} unread
 * @property {boolean} ended  no longer with an agent (shown muted)
 */

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {HTMLElement} options.tablist  role="tablist" container
 * @param {HTMLElement} options.panel  the role="tabpanel" the tabs control
 * @param {(id: string) => void} options.onSelect
 * @param {(id: string) => void} options.onClose
 */
export function createTabs({ t, tablist, panel, onSelect, onClose }) {
  const tabId = (index) => `chat-tab-${index}`;

  /**
   * @param {TabInfo[]} tabs
   * @param {?string} activeId
   */
  function render(tabs, activeId) {
    const hadFocus = tablist.contains(document.activeElement);
    const focusedId = document.activeElement?.dataset?.conversationId;
    const focusedWasClose = document.activeElement?.classList.contains("tab-close");
    tablist.replaceChildren();
    tabs.forEach((tab, index) => {
      const selected = tab.id === activeId;
      const wrap = el("div", `tab${selected ? " is-selected" : ""}${tab.ended ? " is-ended" : ""}`, { role: "presentation" });
      const button = el("button", "tab-button", {
        type: "button", role: "tab", id: tabId(index), "aria-selected": String(selected),
        "aria-controls": panel.id, tabindex: selected ? "0" : "-1",
        "data-testid": "chat-tab", "data-conversation-id": tab.id, title: tab.title,
      });
      button.append(textEl("span", "tab-label", tab.label));
      if (tab.unread > 0) {
        button.append(textEl("span", "tab-unread", tab.unread > 9 ? "9+" : String(tab.unread), { "aria-hidden": "true" }));
        button.append(textEl("span", "sr-only", `, ${t.unread(tab.unread)}`));
      }
      button.addEventListener("click", () => onSelect(tab.id));
      const close = textEl("button", "tab-close", "×", {
        type: "button", "aria-label": t.closeTab(tab.label), "data-testid": "close-tab-button",
        "data-conversation-id": tab.id, tabindex: selected ? "0" : "-1",
      });
      close.addEventListener("click", () => onClose(tab.id));
      wrap.append(button, close);
      tablist.append(wrap);
      if (selected) panel.setAttribute("aria-labelledby", button.id);
    });
    if (hadFocus) {
      // Keep the keyboard where it was; when that tab is gone, the selected tab takes it.
      const selector = `${focusedWasClose ? ".tab-close" : ".tab-button"}[data-conversation-id="${CSS.escape(focusedId || "")}"]`;
      const target = tablist.querySelector(selector) || tablist.querySelector('[aria-selected="true"]');
      if (target) target.focus();
      else panel.focus();
    }
  }

  tablist.addEventListener("keydown", (event) => {
    const current = event.target.closest?.(".tab-button");
    if (!current) return;
    const buttons = [...tablist.querySelectorAll(".tab-button")];
    const index = buttons.indexOf(current);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      const next = buttons[(moves[event.key] + buttons.length) % buttons.length];
      onSelect(next.dataset.conversationId);
      tablist.querySelector(`.tab-button[data-conversation-id="${CSS.escape(next.dataset.conversationId)}"]`)?.focus();
    } else if (event.key === "Delete") {
      event.preventDefault();
      onClose(current.dataset.conversationId);
    }
  });

  return { render };
}
