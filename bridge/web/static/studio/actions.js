/**
 * The one-click buttons of the studio's pages other than the editor: restore a revision (the
 * history page) and add an unanswered group's questions to an article (the gaps page). Each
 * button carries what it needs in data attributes; the result is said next to it.
 */
import { api } from "/studio/assets/api.js";

const t = JSON.parse(document.getElementById("studio-strings").textContent);
const format = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

function say(button, text) {
  const status = button.closest("[data-status-scope]").querySelector("[data-status]");
  status.textContent = text;
}

const failed = (result) => format(t.failed, { error: result.body?.detail?.message || result.body?.detail || result.status });

const actions = {
  async restore(button) {
    const result = await api.restore(button.dataset.article, Number(button.dataset.number), Number(button.dataset.version));
    if (!result.ok) return say(button, failed(result));
    say(button, t.restored_note);
    window.location.reload();
  },
  async "add-questions"(button) {
    const select = button.closest("[data-status-scope]").querySelector("select[data-target]");
    const questions = JSON.parse(button.dataset.questions);
    const result = await api.addQuestions(select.value, questions);
    if (!result.ok) return say(button, failed(result));
    say(button, format(result.body.published ? t.added : t.added_draft, { article: select.value }));
  },
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || !actions[button.dataset.action]) return;
  button.disabled = true;
  try {
    await actions[button.dataset.action](button);
  } finally {
    button.disabled = false;
  }
});
