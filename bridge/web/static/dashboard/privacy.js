/**
 * The admins' privacy page: sends an export or an erasure for the chosen selector to the
 * bridge (with the CSRF token of the readable `sb_csrf` cookie), downloads exports as files and
 * reloads the page after an erasure so the audit log shows it. Strings come from the body's
 * data attributes; text goes in with textContent only.
 */
(() => {
  "use strict";

  const form = document.getElementById("privacy-form");
  const error = document.getElementById("error");
  const result = document.getElementById("result");
  const strings = document.body.dataset;
  let action = "export-json";

  function csrfToken() {
    const found = document.cookie.split("; ").find((cookie) => cookie.startsWith("sb_csrf="));
    return found ? found.slice("sb_csrf=".length) : "";
  }

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      window.location.assign("/login?next=/dashboard/privacy");
      throw new Error("signed out");
    }
    if (!response.ok) {
      let detail = `HTTP ${response.status}`;
      try {
        const parsed = await response.json();
        if (typeof parsed.detail === "string") detail = parsed.detail;
      } catch {
        // not JSON: keep the status
      }
      throw new Error(detail);
    }
    return response;
  }

  function download(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  form.querySelectorAll("button[data-action]").forEach((button) => {
    button.addEventListener("click", () => { action = button.dataset.action; });
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    result.textContent = "";
    const data = new FormData(form);
    const selector = { kind: data.get("kind"), value: String(data.get("value") || "").trim() };
    try {
      if (action === "erase") {
        if (!window.confirm(strings.confirmErase)) return;
        const erased = await (await post("/api/staff/privacy/erase", selector)).json();
        result.textContent = fill(strings.erased, { conversations: erased.conversations, tracker: erased.tracker_events });
        setTimeout(() => window.location.reload(), 1500);
        return;
      }
      const format = action === "export-html" ? "html" : "json";
      const response = await post("/api/staff/privacy/export", { ...selector, format, lang: strings.lang });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      if (format === "json") {
        const body = await response.json();
        download(new Blob([JSON.stringify(body, null, 2)], { type: "application/json" }), `export-${stamp}.json`);
        result.textContent = fill(strings.exported, { conversations: body.conversations.length });
      } else {
        download(await response.blob(), `export-${stamp}.html`);
        result.textContent = fill(strings.exported, { conversations: "–" });
      }
    } catch (failure) {
      if (failure.message !== "signed out") error.textContent = fill(strings.error, { detail: failure.message });
    }
  });
})();
