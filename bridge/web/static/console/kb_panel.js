/**
 * Knowledge-base search for the agent. Results can be opened, or put into the reply as a
 * Markdown link (`[Title](url)`) at the compose box's caret; the widget renders that as a
 * link for the customer. Searches run as the agent types (debounced) or on Enter, and an
 * answer to an older query never overwrites a newer one.
 */

import { byId, el, textEl } from "../shared/dom.js";
import { markdownLink, safeHttpUrl, score } from "./format.js";
import { api } from "./api.js";

const DEBOUNCE_MS = 350;
const MIN_QUERY = 2;
const LANGS = new Set(["en", "hu"]);

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang  the console's language, the default search language
 * @param {(markdown: string, title: string) => void} options.onInsert
 */
export function createKbPanel({ t, lang, onInsert }) {
  const form = byId("kb-form");
  const input = byId("kb-search-input");
  const langSelect = byId("kb-lang");
  const status = byId("kb-status");
  const results = byId("kb-results");
  let controller = null;
  let timer = null;
  let lastKey = "";

  function clear() {
    clearTimeout(timer);
    controller?.abort();
    controller = null;
    lastKey = "";
    results.replaceChildren();
    status.textContent = "";
  }

  function renderHit(hit) {
    const url = safeHttpUrl(hit.url);
    const item = el("li", "kb-result", { "data-testid": "kb-result", "data-article-id": String(hit.article_id ?? "") });
    const head = el("div", "kb-result-head");
    head.append(url
      ? textEl("a", "kb-title", hit.title, { href: url, target: "_blank", rel: "noopener", title: t.openArticle(hit.title) })
      : textEl("span", "kb-title", hit.title));
    head.append(textEl("span", "score", score(hit.score), { title: t.kbScore(score(hit.score)) }));
    item.append(head);
    if (typeof hit.snippet === "string" && hit.snippet.trim()) item.append(textEl("p", "kb-snippet", hit.snippet));
    if (url) {
      const insert = textEl("button", "button small", t.insertLink, {
        type: "button", "data-testid": "insert-link-button", "aria-label": t.insertLinkLabel(hit.title),
      });
      insert.addEventListener("click", () => onInsert(markdownLink(hit.title, url), hit.title));
      item.append(insert);
    }
    return item;
  }

  async function search({ force = false } = {}) {
    clearTimeout(timer);
    const query = input.value.trim();
    const language = langSelect.value;
    const key = `${language}\n${query}`;
    if (query.length < MIN_QUERY) {
      if (!query) clear();
      return;
    }
    if (!force && key === lastKey) return;
    lastKey = key;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    status.textContent = t.kbSearching;
    const result = await api.searchKb(query, language, mine.signal);
    if (controller !== mine) return; // a newer search has started
    controller = null;
    if (!result.ok || !Array.isArray(result.body?.hits)) {
      if (!result.aborted) {
        status.textContent = t.kbFailed;
        lastKey = ""; // let the same query be tried again
      }
      return;
    }
    const hits = result.body.hits.filter((hit) => hit && typeof hit.title === "string");
    results.replaceChildren(...hits.map(renderHit));
    status.textContent = hits.length ? t.kbResults(hits.length) : t.kbNoResults;
  }

  /** Searches in the active customer's language unless the agent picks another. */
  function setLanguage(language) {
    const next = LANGS.has(language) ? language : lang;
    if (langSelect.value === next) return;
    langSelect.value = next;
    if (input.value.trim()) search();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search({ force: true });
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  langSelect.addEventListener("change", () => search());
  input.addEventListener("keydown", (event) => {
    // Escape empties the search first; a second Escape is left to the page (e.g. the notice).
    if (event.key === "Escape" && !event.isComposing && (input.value || results.childElementCount)) {
      event.preventDefault();
      event.stopPropagation();
      input.value = "";
      clear();
    }
  });
  langSelect.value = LANGS.has(lang) ? lang : "en";

  return { setLanguage };
}
