/**
 * "Leave a message": when nobody can take the chat (no agent online, or outside business
 * hours) the bot offers a button with the payload /leave_message. That payload never goes to
 * the bot: it opens this form (email + question), which posts to the bridge. The bridge checks
 * the email for real and stores the request for the agents; the quick check here only saves a
 * round trip for an obvious typo.
 */

import { el } from "../shared/dom.js";
import { leaveMessage } from "./http.js";
import { MAX_LENGTH } from "./limits.js";

export const LEAVE_MESSAGE_PAYLOAD = "/leave_message";
const EMAIL_HINT = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * @param {object} options
 * @param {import("./config.js").Config} options.config
 * @param {object} options.t  UI strings
 * @param {object} options.state  the shared state (reads the conversation)
 * @param {ReturnType<typeof import("./view.js").createView>} options.view
 */
export function createOfflineForm({ config, t, state, view }) {
  let uid = 0;

  function field(label, control) {
    uid += 1;
    control.id = `nw-offline-${uid}`;
    const caption = el("label", null, { for: control.id });
    caption.textContent = label;
    return [caption, control];
  }

  /** Opens the form at the end of the transcript (one at a time); false without a conversation. */
  function open() {
    if (!state.conversation) return false;
    const existing = view.nodes.messages.querySelector('[data-testid="offline-form"]');
    if (existing) {
      existing.querySelector("input").focus();
      return true;
    }
    const form = el("form", "offline-form", {
      "data-testid": "offline-form", "aria-label": t.offlineTitle, novalidate: "",
    });
    const heading = el("p", "offline-title");
    heading.textContent = t.offlineTitle;
    const email = el("input", null, {
      type: "email", name: "email", autocomplete: "email", required: "", maxlength: "254",
    });
    const message = el("textarea", null, { name: "message", rows: "3", required: "", maxlength: String(MAX_LENGTH) });
    const error = el("p", "offline-error", { role: "alert", "data-testid": "offline-error" });
    const send = el("button", "offline-send", { type: "submit" });
    send.textContent = t.offlineSend;
    const cancel = el("button", "offline-cancel", { type: "button" });
    cancel.textContent = t.offlineCancel;
    const actions = el("div", "offline-actions");
    actions.append(send, cancel);
    form.append(heading, ...field(t.offlineEmail, email), ...field(t.offlineMessage, message), error, actions);

    cancel.addEventListener("click", () => form.remove());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const address = email.value.trim();
      const text = message.value.trim();
      if (!EMAIL_HINT.test(address)) {
        error.textContent = t.offlineBadEmail;
        email.focus();
        return;
      }
      if (!text) {
        error.textContent = t.offlineEmpty;
        message.focus();
        return;
      }
      send.disabled = true;
      const result = await leaveMessage(config, state.conversation, { email: address, message: text });
      send.disabled = false;
      if (result === "ok") {
        form.remove();
        view.showNotice(t.offlineThanks(address));
      } else {
        error.textContent = result === "invalid_email" ? t.offlineBadEmail : t.genericError;
      }
    });
    view.nodes.messages.append(form);
    view.nodes.empty.hidden = true;
    view.scrollToBottom();
    email.focus();
    return true;
  }

  return { open };
}
