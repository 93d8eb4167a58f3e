/**
 * What the console remembers in the browser: the sound preference and the agent's last chosen
 * presence (localStorage, per browser), and the open chat tabs (sessionStorage, so a reload of
 * this tab reopens them but a second console tab starts clean).
 *
 * Storage throws in some privacy modes; every access is guarded and the console still works,
 * it just forgets these things on reload.
 */

const PREFIX = "northwind.console.";

function guarded(area) {
  return {
    get(key) {
      try {
        return window[area].getItem(PREFIX + key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        window[area].setItem(PREFIX + key, value);
      } catch {
        // Not persisted; only the preference is lost.
      }
    },
  };
}

const local = guarded("localStorage");
const session = guarded("sessionStorage");

/** Sound notifications default to on: a waiting customer should not go unnoticed. */
export function loadSound() {
  return local.get("sound") !== "off";
}

export function saveSound(on) {
  local.set("sound", on ? "on" : "off");
}

const PRESENCES = new Set(["online", "away", "offline"]);

/** The agent's last chosen presence; "online" the first time, since opening the console means work. */
export function loadPresence() {
  const stored = local.get("presence");
  return PRESENCES.has(stored) ? stored : "online";
}

export function savePresence(status) {
  if (PRESENCES.has(status)) local.set("presence", status);
}

/** @returns {{open: string[], active: ?string}} the chat tabs of this browser tab before a reload */
export function loadTabs() {
  try {
    const stored = JSON.parse(session.get("tabs") || "null");
    const open = Array.isArray(stored?.open) ? stored.open.filter((id) => typeof id === "string") : [];
    const active = typeof stored?.active === "string" && open.includes(stored.active) ? stored.active : null;
    return { open, active };
  } catch {
    return { open: [], active: null };
  }
}

export function saveTabs(open, active) {
  session.set("tabs", JSON.stringify({ open, active }));
}
