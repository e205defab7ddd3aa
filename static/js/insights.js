/* Draws the insights charts with Chart.js (served from static/vendor, never a CDN).
   The numbers come from the page's JSON (json_script "insights-charts"); each chart's data table is in the
   page too, so nothing here is needed to read the figures. */
(function () {
  "use strict";
  var source = document.getElementById("insights-charts");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  // The legends and axis titles in the reader's language: insights/charts.py sends them, keyed by the English.
  var words = data.words || {};
  function t(text) { return words[text] || text; }
  var BLUE = "#1d4ed8", TEAL = "#0f766e", AMBER = "#b45309", GREY = "#6b7280", RED = "#b91c1c";
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#374151";
  Chart.defaults.animation = reduceMotion ? false : { duration: 400 };
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var previous = Chart.getChart(canvas);
    if (previous) previous.destroy();
    new Chart(canvas, config);
  }

  // Chart.js gives a side axis at most half the chart: on a phone a long skill name would be cut at the edge,
  // so there it goes on lines of a few words.
  var NARROW_CHART = 480, LINE_LENGTH = 14;
  function wrapOnNarrow(text, chartWidth) {
    if (chartWidth >= NARROW_CHART || text.length <= LINE_LENGTH) return text;
    return text.split(" ").reduce(function (lines, word) {
      var last = lines[lines.length - 1];
      if (last && (last + " " + word).length <= LINE_LENGTH) lines[lines.length - 1] = last + " " + word;
      else lines.push(word);
      return lines;
    }, []);
  }

  var integerAxis = { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#e5e7eb" } };

  if (data.weekly) {
    draw("chart-weekly", {
      data: {
        labels: data.weekly.labels,
        datasets: [
          { type: "bar", label: t("Sessions held"), data: data.weekly.sessions, backgroundColor: BLUE, borderRadius: 3 },
          { type: "line", label: t("Participants"), data: data.weekly.participants, borderColor: TEAL,
            backgroundColor: TEAL, cubicInterpolationMode: "monotone", pointRadius: 3 }
        ]
      },
      options: { scales: { y: integerAxis, x: { grid: { display: false } } }, interaction: { mode: "index", intersect: false } }
    });
  }

  if (data.time_to_help) {
    draw("chart-time-to-help", {
      data: {
        labels: data.time_to_help.labels,
        datasets: [
          { type: "line", label: t("Median hours to help"), data: data.time_to_help.median_hours, borderColor: AMBER,
            backgroundColor: AMBER, cubicInterpolationMode: "monotone", spanGaps: true, yAxisID: "hours", pointRadius: 3 },
          { type: "bar", label: t("Requests made"), data: data.time_to_help.requests, backgroundColor: "#cbd5e1",
            yAxisID: "requests", borderRadius: 3 }
        ]
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          hours: { position: "left", beginAtZero: true, title: { display: true, text: t("hours") }, grid: { color: "#e5e7eb" } },
          requests: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { display: false },
                      title: { display: true, text: t("requests") } },
          x: { grid: { display: false } }
        }
      }
    });
  }

  if (data.skills && data.skills.labels.length) {
    var gaps = data.skills.gaps || [];
    var isGap = function (index) { return gaps.indexOf(data.skills.labels[index]) >= 0; };
    // One colour per series, so that the legend names every bar; the largest gaps are marked on the skill's
    // name instead (red and bold), not by recolouring its bar.
    draw("chart-skills", {
      type: "bar",
      data: {
        labels: data.skills.labels,
        datasets: [
          { label: t("Requests"), data: data.skills.requested, backgroundColor: BLUE, borderRadius: 3 },
          { label: t("Without a session"), data: data.skills.unmet, backgroundColor: AMBER, borderRadius: 3 },
          { label: t("Mentors offering"), data: data.skills.offered, backgroundColor: TEAL, borderRadius: 3 }
        ]
      },
      options: {
        indexAxis: "y",
        scales: {
          x: integerAxis,
          y: { grid: { display: false }, ticks: {
            callback: function (value) { return wrapOnNarrow(this.getLabelForValue(value), this.chart.width); },
            color: function (context) { return isGap(context.index) ? RED : Chart.defaults.color; },
            font: function (context) { return isGap(context.index) ? { weight: "bold" } : {}; }
          } }
        }
      }
    });
  }

  if (data.load && data.load.labels.length) {
    draw("chart-load", {
      type: "bar",
      data: {
        labels: data.load.labels,
        datasets: [{ label: t("Share of sessions held (%)"), data: data.load.share, borderRadius: 3,
          backgroundColor: data.load.share.map(function (_, index) { return index === 0 ? BLUE : GREY; }) }]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return v + "%"; } } },
                           x: { grid: { display: false } } },
                 plugins: { legend: { display: false } } }
    });
  }
})();
