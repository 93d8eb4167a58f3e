/**
 * Messages customers left while nobody could take their chat (GET /api/staff/offline-requests).
 * The websocket does not announce them, so the list is refreshed on a timer while the page is
 * visible and on demand; the agent answers by email.
 */

import { api } from "./api.js";
import { byId, el, textEl } from "../shared/dom.js";
import { fullTime } from "./format.js";

const REFRESH_MS = 120000;

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {string} options.lang
 */
export function createOfflineRequests({ t, lang }) {
  const list = byId("offline-list");
  const status = byId("offline-status");
  const count = byId("offline-count");
  const refresh = byId("offline-refresh");
  let loading = false;

  function renderRequest(request) {
    const item = el("li", "offline-item", { "data-testid": "offline-request", "data-request-id": String(request.id ?? "") });
    const head = el("div", "offline-head");
    const email = typeof request.email === "string" ? request.email : "";
    // Only the fixed mailto: scheme is ever put in front of the address, so this link cannot run script.
    head.append(email
      ? textEl("a", "offline-email", email, { href: `mailto:${email}`, title: t.offlineReply(email) })
      : textEl("span", "offline-email", t.unknown));
    if (t.languages[request.language]) {
      head.append(textEl("abbr", "lang-badge", request.language.toUpperCase(), { title: t.languages[request.language] }));
    }
    const when = fullTime(request.created_at, lang);
    if (when) head.append(textEl("time", "offline-time", when, { datetime: request.created_at }));
    item.append(head, textEl("p", "offline-message", typeof request.message === "string" ? request.message : ""));
    return item;
  }

  async function load() {
    if (loading) return;
    loading = true;
    refresh.disabled = true;
    const result = await api.offlineRequests();
    loading = false;
    refresh.disabled = false;
    if (!result.ok || !Array.isArray(result.body?.requests)) {
      status.textContent = t.offlineFailed;
      return;
    }
    const requests = result.body.requests.filter((r) => r && typeof r === "object");
    list.replaceChildren(...requests.map(renderRequest));
    status.textContent = requests.length ? "" : t.offlineEmpty;
    count.textContent = String(requests.length);
  }

  function start() {
    load();
    setInterval(() => {
      if (document.visibilityState === "visible") load();
    }, REFRESH_MS);
  }

  refresh.addEventListener("click", load);

  return { start, load };
}
