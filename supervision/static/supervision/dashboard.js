// Draws the dashboard's charts from the report endpoints (same-origin, session cookie).
(function () {
  "use strict";
  const script = document.currentScript;
  const colours = ["#417690", "#79aec8", "#e8a33d", "#5b9b5b", "#9b9b9b", "#ba2121"];
  const charts = (window.caseworkCharts = { ready: false });

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(url + " " + r.status); } return r.json(); });
  }

  // Every chart as of the day picked on the page (截至), today when none was.
  const asOf = script.dataset.asOf ? "as_of=" + script.dataset.asOf : "";
  Promise.all([
    get(script.dataset.closure + "?group_by=county" + (asOf ? "&" + asOf : "")),
    get(script.dataset.states + (asOf ? "?" + asOf : "")),
    get(script.dataset.trend + (asOf ? "?" + asOf : "")),
  ]).then(function (answers) {
    const closure = answers[0], states = answers[1].streams, trend = answers[2];
    charts.closure = new Chart(document.getElementById("chart-closure"), {
      type: "bar",
      data: {
        labels: closure.groups.map(function (g) { return g.label; }),
        datasets: [{ label: script.dataset.labelRate, backgroundColor: colours[0],
          data: closure.groups.map(function (g) { return g.rates.closed_out === null ? 0 : Number(g.rates.closed_out); }) }],
      },
      options: { animation: false, scales: { y: { min: 0, max: 100 } } },
    });
    const stateKeys = ["assigned", "rectifying", "submitted", "verified", "closed"];
    const stateNames = (script.dataset.statesLabels || "").split("|");
    charts.states = new Chart(document.getElementById("chart-states"), {
      type: "bar",
      data: {
        labels: states.map(function (s) { return s.stream; }),
        datasets: stateKeys.map(function (key, i) {
          return { label: stateNames[i] || key, backgroundColor: colours[i],
            data: states.map(function (s) { return s[key]; }) };
        }),
      },
      options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true } } },
    });
    charts.trend = new Chart(document.getElementById("chart-trend"), {
      type: "line",
      data: {
        labels: trend.points.map(function (p) { return p.date; }),
        datasets: [{ label: script.dataset.labelOverdue, borderColor: colours[5],
          data: trend.points.map(function (p) { return p.overdue; }) }],
      },
      options: { animation: false },
    });
    charts.ready = true;
  }).catch(function (error) {
    charts.error = String(error);
    const note = document.createElement("p");
    note.className = "errornote";
    note.textContent = String(error);
    document.getElementById("content-main").prepend(note);
  });
})();
