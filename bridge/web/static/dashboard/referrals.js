/**
 * The dashboard's "How customers found us" section (/api/staff/reports/referrals): answers to
 * "How did you hear about us?", each source's share of the named answers per day, week or
 * month (stacked bars), and the referral rate (the friend-or-family share) next to the NPS
 * (lines). Rows come per language; a bucket's figures add the languages up from their counts
 * (the NPS weighted by its answers, which is exact). dashboard/report_section.js loads it
 * with the page's filters; the charts join window.dashboardCharts for the tests.
 */
(() => {
  "use strict";

  const section = document.getElementById("referrals");
  const SOURCES = ["friend_family", "search", "social", "review_site", "advert", "other"];
  const COLORS = {
    friend_family: "#0f766e", search: "#2563eb", social: "#db2777",
    review_site: "#ca8a04", advert: "#7c3aed", other: "#94a3b8",
  };

  const pct = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} %`);
  const setText = (id, text) => { document.getElementById(id).textContent = text; };
  const labels = () => JSON.parse(section.dataset.labels);

  /** One entry per bucket, the languages added up. */
  function buckets(rows) {
    const byStart = new Map();
    for (const row of rows) {
      const bucket = byStart.get(row.period_start) || { named: 0, sources: {}, npsSum: 0, npsN: 0 };
      bucket.named += row.named;
      for (const source of SOURCES) bucket.sources[source] = (bucket.sources[source] || 0) + row.sources[source];
      if (row.nps !== null) { bucket.npsSum += row.nps * row.nps_responses; bucket.npsN += row.nps_responses; }
      byStart.set(row.period_start, bucket);
    }
    return byStart;
  }

  function replaceChart(id, config) {
    const charts = window.dashboardCharts || (window.dashboardCharts = {});
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart(document.getElementById(id), config);
  }

  function render(report) {
    const names = labels();
    setText("referrals-asked", String(report.asked));
    setText("referrals-answered", String(report.answered));
    setText("referrals-answer-rate", pct(report.answer_rate_pct));
    setText("referrals-rate", pct(report.referral_rate_pct));
    setText("referrals-top", report.top_source ? names[report.top_source] : "–");
    setText("referrals-friend-nps", report.friend_family_nps === null ? "–" : report.friend_family_nps.toFixed(1));
    setText("referrals-friend-n", report.friend_family_nps_n ? `n = ${report.friend_family_nps_n}` : "");

    const byStart = buckets(report.rows);
    const starts = [...byStart.keys()];
    const share = (bucket, source) => (bucket.named ? (bucket.sources[source] * 100) / bucket.named : 0);
    replaceChart("referrals-sources", {
      type: "bar",
      data: {
        labels: starts,
        datasets: SOURCES.map((source) => ({
          label: names[source],
          data: starts.map((start) => share(byStart.get(start), source)),
          backgroundColor: COLORS[source],
        })),
      },
      options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, min: 0, max: 100 } } },
    });
    const rate = (bucket) => (bucket.named ? (bucket.sources.friend_family * 100) / bucket.named : null);
    const nps = (bucket) => (bucket.npsN ? bucket.npsSum / bucket.npsN : null);
    replaceChart("referrals-vs-nps", {
      type: "line",
      data: {
        labels: starts,
        datasets: [
          { label: names.referral_rate, data: starts.map((s) => rate(byStart.get(s))), borderColor: COLORS.friend_family, spanGaps: true },
          { label: names.nps, data: starts.map((s) => nps(byStart.get(s))), borderColor: "#2563eb", spanGaps: true },
        ],
      },
      options: { animation: false, scales: { y: { min: -100, max: 100 } } },
    });
  }

  window.dashboardReportSection("referrals", render);
})();
