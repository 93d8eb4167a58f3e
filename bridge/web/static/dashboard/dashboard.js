/**
 * The support dashboard: reads the admin report API for the chosen period and language, fills
 * the tiles, draws the charts with Chart.js (vendored in /vendor) and lists the unanswered
 * question groups and the agents' figures. Text goes in with textContent only; nothing from the data is parsed as HTML.
 * window.dashboardCharts exposes the charts so that tests can read what was drawn.
 */
(() => {
  "use strict";

  const form = document.getElementById("filters");
  const error = document.getElementById("error");
  const charts = {};
  window.dashboardCharts = charts;
  const REPORTS = ["nps", "helpful", "conversations", "unanswered", "conversion", "agents"];

  const pct = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} %`);
  const secs = (value) => (value === null || value === undefined ? "–" : `${Math.round(value)} s`);
  const setText = (id, text) => { document.getElementById(id).textContent = text; };

  function params() {
    const data = new FormData(form);
    const query = new URLSearchParams({ from: data.get("from"), to: data.get("to") });
    if (data.get("lang")) query.set("lang", data.get("lang"));
    return query;
  }

  async function fetchReport(name, query) {
    const response = await fetch(`/api/staff/reports/${name}?${query}`, { credentials: "same-origin" });
    if (response.status === 401) {
      window.location.assign("/login?next=/dashboard");
      throw new Error("signed out");
    }
    const body = await response.json();
    if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`);
    return body;
  }

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart(document.getElementById(id), config);
  }

  /** One row per agent, in the report's order (most chats handled first), and their median first reply. */
  function renderAgents(report) {
    const rows = document.getElementById("agent-rows");
    rows.replaceChildren(...report.agents.map((agent) => {
      const row = document.createElement("tr");
      row.dataset.agentId = String(agent.agent_id);
      const nps = agent.nps ? `${agent.nps.nps.toFixed(1)} (${agent.nps.responses})` : "–";
      for (const text of [
        agent.display_name,
        String(agent.chats_handled),
        `${secs(agent.first_response_median_s)} / ${secs(agent.first_response_p90_s)}`,
        `${secs(agent.handling_median_s)} / ${secs(agent.handling_p90_s)}`,
        String(agent.closed),
        String(agent.hand_backs),
        nps,
        `${agent.transfers_given} / ${agent.transfers_received}`,
      ]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }));
    draw("agent-first-response", {
      type: "bar",
      data: {
        labels: report.agents.map((agent) => agent.display_name),
        datasets: [{ label: "s", data: report.agents.map((agent) => agent.first_response_median_s), backgroundColor: "#0f766e" }],
      },
      options: { animation: false, scales: { y: { min: 0 } } },
    });
  }

  function render([nps, helpful, conversations, unanswered, conversion, agents]) {
    const summary = nps.summary;
    setText("nps-value", summary ? summary.nps.toFixed(1) : "–");
    setText("nps-sub", summary ? `95 % CI ${summary.ci_low.toFixed(1)} … ${summary.ci_high.toFixed(1)} · ${summary.responses}` : "");
    setText("response-rate", pct(nps.response_rate_pct));
    setText("helpful-rate", pct(helpful.rate_pct));
    setText("containment", pct(conversations.containment_pct));
    setText("handoff-rate", pct(conversations.handoff_rate_pct));
    setText("queue-wait", `${secs(conversations.queue_wait_median_s)} / ${secs(conversations.queue_wait_p90_s)}`);
    setText("first-response", `${secs(conversations.first_response_median_s)} / ${secs(conversations.first_response_p90_s)}`);
    setText("conversion", pct(conversion.conversion_rate_pct));

    draw("nps-trend", {
      type: "line",
      data: {
        labels: nps.weekly.map((week) => week.week_start),
        datasets: [{ label: "NPS", data: nps.weekly.map((week) => week.nps), borderColor: "#0f766e", spanGaps: true }],
      },
      options: { animation: false, scales: { y: { min: -100, max: 100 } } },
    });
    draw("nps-breakdown", {
      type: "doughnut",
      data: {
        labels: ["Promoters", "Passives", "Detractors"],
        datasets: [{
          data: summary ? [summary.promoters, summary.passives, summary.detractors] : [0, 0, 0],
          backgroundColor: ["#16a34a", "#94a3b8", "#dc2626"],
        }],
      },
      options: { animation: false },
    });
    draw("helpful-articles", {
      type: "bar",
      data: {
        labels: helpful.articles.map((article) => article.article_id),
        datasets: [{ label: "%", data: helpful.articles.map((article) => article.rate_pct), backgroundColor: "#0f766e" }],
      },
      options: { animation: false, indexAxis: "y", scales: { x: { min: 0, max: 100 } } },
    });

    const rows = document.getElementById("unanswered-rows");
    rows.replaceChildren(...unanswered.groups.map((group) => {
      const row = document.createElement("tr");
      for (const text of [String(group.count), group.examples.join(" · "), group.best_article_id || "–"]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }));
    renderAgents(agents);
  }

  async function load() {
    error.textContent = "";
    const query = params();
    for (const link of document.querySelectorAll("a.csv")) {
      const csv = new URLSearchParams(query);
      csv.set("format", "csv");
      if (link.dataset.report !== "unanswered") csv.set("table", link.dataset.table);
      link.href = `/api/staff/reports/${link.dataset.report}?${csv}`;
    }
    try {
      render(await Promise.all(REPORTS.map((name) => fetchReport(name, query))));
      document.body.dataset.loaded = "true";
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  load();
})();
