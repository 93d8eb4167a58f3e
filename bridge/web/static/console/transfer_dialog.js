/**
 * The "Transfer" dialog of the open chat: the colleagues online now (a radio list, read when
 * the dialog opens), or back to the queue, and a private note for whoever takes the chat.
 * A modal <dialog>: focus starts on the first choice, Escape or Cancel closes it, Enter on a
 * choice or Ctrl+Enter in the note sends. What the bridge refuses (a colleague who just went
 * offline, an offer already pending) is said inside the dialog, which stays open to choose again.
 */

import { api } from "./api.js";
import { byId, el, textEl } from "../shared/dom.js";

const MAX_NOTE = 2000; // the bridge's limit (bridge.services.transfer.MAX_NOTE_CHARS)
const QUEUE = "queue";

/**
 * @param {object} options
 * @param {object} options.t  UI strings (`t.transfer`)
 * @param {(result: {transfer: object, handoff: object}) => void} options.onSent
 */
export function createTransferDialog({ t, onSent }) {
  const s = t.transfer;
  const dialog = byId("transfer-dialog");
  let handoffId = null;
  let opener = null;

  const heading = textEl("h2", "transfer-heading", s.title, { id: "transfer-heading" });
  const form = el("form", "transfer-form", { novalidate: "", method: "dialog" });
  const fieldset = el("fieldset", "transfer-targets");
  const legend = textEl("legend", "", s.to);
  const status = el("p", "transfer-status", { role: "status" });
  const choices = el("ul", "transfer-choices", { "data-testid": "transfer-targets" });
  fieldset.append(legend, status, choices);
  const note = el("textarea", "transfer-note", {
    id: "transfer-note", rows: "3", maxlength: String(MAX_NOTE), "aria-describedby": "transfer-note-hint",
    "data-testid": "transfer-note",
  });
  const noteLabel = textEl("label", "", s.note, { for: "transfer-note" });
  const noteHint = textEl("p", "hint", s.noteHint, { id: "transfer-note-hint" });
  const error = el("p", "transfer-error", { role: "alert", "data-testid": "transfer-error" });
  const send = textEl("button", "button primary", s.send, { type: "submit", "data-testid": "transfer-send" });
  const cancel = textEl("button", "button", s.cancel, { type: "button" });
  const buttons = el("div", "transfer-buttons");
  buttons.append(send, cancel);
  form.append(heading, fieldset, noteLabel, note, noteHint, error, buttons);
  dialog.append(form);
  dialog.setAttribute("aria-labelledby", "transfer-heading");

  function choice(value, label, hint) {
    const id = `transfer-to-${value}`;
    const item = el("li", "transfer-choice");
    const radio = el("input", "", { type: "radio", name: "transfer-to", id, value, "data-testid": "transfer-target" });
    const text = textEl("label", "", label, { for: id });
    item.append(radio, text);
    if (hint) {
      radio.setAttribute("aria-describedby", `${id}-hint`);
      item.append(textEl("p", "hint", hint, { id: `${id}-hint` }));
    }
    return item;
  }

  async function loadColleagues() {
    choices.replaceChildren(choice(QUEUE, s.queue, s.queueHint));
    status.textContent = s.loading;
    const result = await api.onlineAgents();
    if (!dialog.open) return;
    const agents = result.ok && Array.isArray(result.body?.agents) ? result.body.agents : [];
    status.textContent = result.ok ? (agents.length ? "" : s.nobody) : t.networkError;
    const people = agents
      .filter((agent) => Number.isInteger(agent.id) && typeof agent.display_name === "string")
      .map((agent) => choice(String(agent.id), agent.display_name));
    choices.prepend(...people);
    const first = choices.querySelector("input");
    if (first && !choices.querySelector("input:checked")) first.focus();
  }

  /**
   * @param {number} id  the handoff of the open chat
   * @param {HTMLElement} [from]  gets the focus back when the dialog closes
   */
  function open(id, from) {
    handoffId = id;
    opener = from || document.activeElement;
    note.value = "";
    error.textContent = "";
    send.disabled = false;
    dialog.showModal();
    loadColleagues();
  }

  async function submit() {
    const picked = choices.querySelector("input:checked");
    if (!picked) {
      error.textContent = s.chooseSomeone;
      choices.querySelector("input")?.focus();
      return;
    }
    send.disabled = true;
    error.textContent = "";
    const to = picked.value === QUEUE ? null : Number(picked.value);
    const result = await api.transfer(handoffId, to, note.value.trim());
    send.disabled = false;
    if (result.ok && result.body?.transfer) {
      dialog.close();
      onSent(result.body);
      return;
    }
    const code = result.body?.code;
    error.textContent = s.errors[code] || (result.status === 0 ? t.networkError : t.genericError);
    if (code === "agent_offline" || code === "unknown_agent") loadColleagues();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  // Enter on a choice sends, as in a one-field form.
  choices.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target instanceof HTMLInputElement) {
      event.preventDefault();
      event.target.checked = true;
      submit();
    }
  });
  note.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });

  return { open, isOpen: () => dialog.open };
}
