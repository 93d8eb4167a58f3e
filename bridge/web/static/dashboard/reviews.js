/**
 * The dashboard's review section: promoters invited to leave a review, the invited
 * conversations that used the counted link, and the click rate, by language and day, week or
 * month (/api/staff/reports/reviews), next to the NPS of the same period.
 * dashboard/report_section.js loads it with the page's filters; the chart joins
 * window.dashboardCharts for the tests.
 */
(() => {
  "use strict";

  const section = document.getElementById("reviews");
  const COLORS = { en: ["#0f766e", "#99f6e4"], hu: ["#7c3aed", "#ddd6fe"] };

  const pct = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} %`);
  const setText = (id, text) => { document.getElementById(id).textContent = text; };

  function render(report) {
    setText("reviews-invited", String(report.invitations));
    setText("reviews-clicked", String(report.clicked_conversations));
    setText("reviews-rate", pct(report.click_rate_pct));
    setText("reviews-clicks", String(report.clicks));
    setText("reviews-nps", report.nps === null ? "–" : report.nps.toFixed(1));
    setText("reviews-promoters", String(report.promoters));
    const starts = [...new Set(report.rows.map((row) => row.period_start))];
    const languages = [...new Set(report.rows.map((row) => row.language))];
    const figure = (language, name) => starts.map((start) => {
      const row = report.rows.find((r) => r.period_start === start && r.language === language);
      return row ? row[name] : 0;
    });
    const labels = JSON.parse(section.dataset.labels);
    const datasets = languages.flatMap((language) => [
      { label: `${labels.invited} (${language})`, data: figure(language, "invited_conversations"), backgroundColor: COLORS[language]?.[1] ?? "#cbd5e1" },
      { label: `${labels.clicked} (${language})`, data: figure(language, "clicked_conversations"), backgroundColor: COLORS[language]?.[0] ?? "#475569" },
    ]);
    const charts = window.dashboardCharts || (window.dashboardCharts = {});
    if (charts["reviews-trend"]) charts["reviews-trend"].destroy();
    charts["reviews-trend"] = new window.Chart(document.getElementById("reviews-trend"), {
      type: "bar",
      data: { labels: starts, datasets },
      options: { animation: false, scales: { y: { min: 0, ticks: { precision: 0 } } } },
    });
  }

  window.dashboardReportSection("reviews", render);
})();
