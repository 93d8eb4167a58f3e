/**
 * The notice bar under the header: errors such as "Already taken by Anna" and short
 * confirmations. The visible bar is shown and hidden; the text is also written to a live
 * region that is always in the page, because screen readers do not reliably announce a
 * region that was hidden a moment ago.
 */

import { byId } from "../shared/dom.js";

/** Confirmations fade on their own; errors stay until dismissed or replaced, so none is missed. */
const INFO_TIMEOUT_MS = 6000;

export function createNotice() {
  const box = byId("notice");
  const text = byId("notice-text");
  const dismissButton = byId("notice-dismiss");
  const live = byId("live-assertive");
  let timer = null;

  /**
   * @param {string} message
   * @param {{kind?: "error"|"info"}} [options]
   */
  function show(message, { kind = "error" } = {}) {
    clearTimeout(timer);
    box.dataset.kind = kind;
    text.textContent = message;
    box.hidden = false;
    // Re-set even when unchanged, so a repeated error is announced again.
    live.textContent = "";
    live.textContent = message;
    if (kind === "info") timer = setTimeout(dismiss, INFO_TIMEOUT_MS);
  }

  function dismiss() {
    clearTimeout(timer);
    box.hidden = true;
    text.textContent = "";
  }

  dismissButton.addEventListener("click", dismiss);

  return { show, dismiss, isOpen: () => !box.hidden };
}
