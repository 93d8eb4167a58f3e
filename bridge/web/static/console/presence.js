/**
 * The agent's own presence (online / away / offline) and the heartbeat that tells the bridge
 * the console is still open. The heartbeat is sent only while the page is visible, as the
 * contract asks, so a console forgotten in a background tab stops counting as attended.
 */

import { api } from "./api.js";
import { byId } from "../shared/dom.js";
import { loadPresence, savePresence } from "./storage.js";

const HEARTBEAT_MS = 60000;

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {ReturnType<import("./notice.js").createNotice>} options.notice
 */
export function createPresence({ t, notice }) {
  const select = byId("presence-select");
  let current = loadPresence();
  let timer = null;

  function render() {
    select.value = current;
    select.dataset.status = current;
  }

  async function apply(status) {
    const previous = current;
    current = status;
    render();
    select.disabled = true;
    const result = await api.setPresence(status);
    select.disabled = false;
    if (result.ok) {
      savePresence(status);
      return;
    }
    current = previous;
    render();
    notice.show(result.status === 0 ? t.networkError : t.presenceFailed);
  }

  function beat() {
    if (document.visibilityState === "visible") api.heartbeat();
  }

  /** Tells the bridge the stored (or default) presence, so the select and the server agree. */
  function start() {
    render();
    apply(current);
    beat();
    timer = setInterval(beat, HEARTBEAT_MS);
    document.addEventListener("visibilitychange", beat);
  }

  select.addEventListener("change", () => apply(select.value));

  return { start, stop: () => clearInterval(timer) };
}
