/**
 * The studio's article editor: the form is the article's front matter and body; the buttons
 * save a draft, preview (rendered by the bridge, as the help center shows it), publish or
 * archive, through the studio API with the CSRF header. Each change sends the version the
 * writer opened; a 409 shows the other writer's text beside ours, and ours stays in the
 * editor until the writer decides. "Test a question" compares the bot's answer now with its
 * answer were this draft published.
 */
import "/vendor/markdown-toolbar-element.js";
import { api } from "/studio/assets/api.js";

const t = JSON.parse(document.getElementById("studio-strings").textContent);
const form = document.getElementById("editor");
const status = form.querySelector("[data-status]");
const conflictPanel = document.querySelector("[data-conflict]");
const problemsPanel = document.querySelector("[data-problems-panel]");
let version = Number(form.dataset.version) || null;
let theirs = null;

const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);
const format = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

/** The form as the API's ArticleIn. */
function article() {
  const value = (name) => form.elements[name].value;
  return {
    id: value("id").trim(),
    lang: value("lang"),
    title: value("title"),
    tags: value("tags").split(",").map((tag) => tag.trim()).filter(Boolean),
    questions: lines(value("questions")),
    translation_of: value("translation_of").trim() || null,
    body: value("body"),
  };
}

function fill(fields) {
  form.elements.title.value = fields.title;
  form.elements.tags.value = fields.tags.join(", ");
  form.elements.translation_of.value = fields.translation_of || "";
  form.elements.questions.value = fields.questions.join("\n");
  form.elements.body.value = fields.body;
}

function say(text) {
  status.textContent = text;
}

/** A problem list: from the API's problems, or from a 422's pydantic errors. */
function showProblems(problems) {
  const list = problemsPanel.querySelector("[data-problems]");
  list.replaceChildren();
  for (const problem of problems) {
    const item = document.createElement("li");
    item.textContent = problem.line ? `${problem.reason} (${t.line} ${problem.line})` : problem.reason;
    list.append(item);
  }
  if (!problems.length) {
    const item = document.createElement("li");
    item.className = "ok";
    item.textContent = t.no_problems;
    list.append(item);
  }
  problemsPanel.hidden = false;
}

function problemsOf(body) {
  const detail = body?.detail;
  if (detail?.problems) return detail.problems;
  if (Array.isArray(detail)) {
    return detail.map((error) => ({ reason: `${(error.loc || []).slice(-1)[0]}: ${error.msg}` }));
  }
  return [{ reason: typeof detail === "string" ? detail : String(detail) }];
}

function showConflict(current) {
  theirs = current;
  conflictPanel.querySelector("[data-theirs]").value = current.text;
  conflictPanel.querySelector("[data-conflict-who]").textContent =
    `${current.updated_by || ""} · ${current.updated_at} · ${t["state_" + current.state]}`;
  conflictPanel.hidden = false;
  say(t.conflict);
}

/** A result of the API: true when it went through; shows conflicts and problems. */
function handled(result) {
  if (result.ok) return true;
  if (result.status === 409 && result.body?.detail?.current) {
    showConflict(result.body.detail.current);
  } else if (result.status === 422) {
    showProblems(problemsOf(result.body));
    say(t.problems);
  } else {
    const detail = result.body?.detail;
    say(format(t.failed, { error: detail?.message || detail || result.status }));
  }
  return false;
}

async function ensureCreated() {
  if (form.dataset.mode === "edit") return true;
  const result = await api.create(article());
  if (!handled(result)) return false;
  version = result.body.version;
  form.dataset.mode = "edit";
  history.replaceState(null, "", `/studio/articles/${encodeURIComponent(result.body.id)}`);
  form.elements.id.readOnly = true;
  form.elements.lang.disabled = true;
  return true;
}

async function save() {
  if (form.dataset.mode === "new") {
    if (await ensureCreated()) say(t.saved);
    return;
  }
  const result = await api.saveDraft(form.elements.id.value, version, article());
  if (!handled(result)) return;
  version = result.body.version;
  showProblems(result.body.problems);
  say(t.saved);
}

async function publish() {
  if (!(await ensureCreated())) return;
  const result = await api.publish(form.elements.id.value, version, article());
  if (!handled(result)) return;
  version = result.body.version;
  problemsPanel.hidden = true;
  const indexed = result.body.indexed;
  say(indexed.ok ? format(t.published_indexed, { seconds: indexed.seconds }) : format(t.index_failed, { error: indexed.error }));
  form.dataset.state = result.body.state;
}

async function archive() {
  const result = await api.archive(form.elements.id.value, version);
  if (!handled(result)) return;
  version = result.body.version;
  say(t.archived_note);
}

async function preview() {
  const result = await api.preview(article());
  if (!handled(result)) return;
  const panel = document.querySelector("[data-preview-panel]");
  // The bridge renders with raw HTML disabled and unsafe links dropped (bridge/web/markdown.py).
  panel.querySelector("[data-preview]").innerHTML = result.body.html;
  panel.hidden = false;
  showProblems(result.body.problems);
}

function renderResult(target, result) {
  target.replaceChildren();
  if (!result) return;
  const verdict = document.createElement("p");
  verdict.dataset.decision = result.decision;
  verdict.textContent = t["decision_" + result.decision];
  const list = document.createElement("ol");
  for (const [index, hit] of result.hits.entries()) {
    const item = document.createElement("li");
    item.dataset.articleId = hit.article_id;
    const title = document.createElement("strong");
    title.textContent = hit.title;
    const scores = document.createElement("div");
    scores.className = "meta";
    scores.textContent = `${index === 1 ? t.runner_up + " · " : ""}${t.score} ${hit.score.toFixed(3)} · ${t.dense} ${hit.dense.toFixed(3)} · ${t.lexical} ${hit.lexical.toFixed(2)}`;
    item.append(title, scores);
    if (index === 0) {
      const quote = document.createElement("blockquote");
      quote.className = "meta";
      quote.textContent = hit.quoted;
      item.append(quote);
    }
    list.append(item);
  }
  target.append(verdict, list);
}

async function trial(event) {
  event.preventDefault();
  const trialForm = event.target;
  const question = trialForm.elements.question.value.trim();
  if (!question) return;
  const result = await api.test(question, trialForm.elements.language.value, article());
  if (!handled(result)) return;
  renderResult(document.querySelector("[data-trial-published]"), result.body.published);
  renderResult(document.querySelector("[data-trial-draft]"), result.body.with_draft);
  document.querySelector("[data-trial]").hidden = false;
}

const actions = {
  save,
  publish,
  archive,
  preview,
  "use-theirs": () => {
    fill(theirs.fields);
    version = theirs.version;
    conflictPanel.hidden = true;
  },
  "keep-mine": () => {
    version = theirs.version;
    conflictPanel.hidden = true;
    say("");
  },
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || !actions[button.dataset.action]) return;
  button.disabled = true;
  say(""); // an earlier result must not pass for this one's
  try {
    await actions[button.dataset.action]();
  } finally {
    button.disabled = false;
  }
});
document.querySelector("[data-trial-form]").addEventListener("submit", trial);
form.elements.lang.addEventListener("change", () => {
  for (const field of form.querySelectorAll("[lang]")) field.lang = form.elements.lang.value;
});
