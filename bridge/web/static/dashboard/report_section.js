/**
 * What the dashboard's per-period report sections (reviews.js, referrals.js) share: the page's
 * filters plus the section's own granularity select make the query, the CSV link follows it,
 * and the section reloads when either changes. A section is the element with id `name`, its
 * select `${name}-by`, its CSV link `${name}-csv`, its error line `${name}-error`, and reads
 * /api/staff/reports/${name}; `render(report)` draws it.
 */
window.dashboardReportSection = (name, render) => {
  "use strict";

  const form = document.getElementById("filters");
  const section = document.getElementById(name);
  const granularity = document.getElementById(`${name}-by`);
  const csvLink = document.getElementById(`${name}-csv`);
  const error = document.getElementById(`${name}-error`);

  function query() {
    const data = new FormData(form);
    const params = new URLSearchParams({ from: data.get("from"), to: data.get("to"), by: granularity.value });
    if (data.get("lang")) params.set("lang", data.get("lang"));
    return params;
  }

  async function load() {
    error.textContent = "";
    const params = query();
    const csv = new URLSearchParams(params);
    csv.set("format", "csv");
    csv.set("table", "periods");
    csvLink.href = `/api/staff/reports/${name}?${csv}`;
    try {
      const response = await fetch(`/api/staff/reports/${name}?${params}`, { credentials: "same-origin" });
      const body = await response.json();
      if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`);
      render(body);
      section.dataset.loaded = "true";
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  form.addEventListener("submit", () => { load(); });
  granularity.addEventListener("change", () => { load(); });
  load();
};
