/* Draws the supervisor's charts with Chart.js from JSON the page holds (json_script):
   every <canvas data-chart="ID" data-source="SCRIPT-ID"> gets the chart SCRIPT-ID's ID.
   A spec: {kind, labels, datasets: [{label, data}], stacked, percent, horizontal, title}.
   Marks each drawn canvas with data-drawn="true" (the browser tests check it). */
(function () {
  "use strict";
  var PALETTE = ["#1565c0", "#2e7d32", "#ef6c00", "#c62828", "#6a1b9a", "#00838f",
                 "#9e9d24", "#4e342e", "#ad1457", "#37474f"];

  function colour(index, alpha) {
    var hex = PALETTE[index % PALETTE.length];
    if (alpha === undefined) { return hex; }
    var r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    return "rgba(" + r + "," + g + "," + b + "," + alpha + ")";
  }

  function config(spec) {
    var line = spec.kind === "line";
    var datasets = spec.datasets.map(function (set, index) {
      return {
        label: set.label,
        data: set.data,
        backgroundColor: line ? colour(index, 0.15) : colour(index),
        borderColor: colour(index),
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 1.5 : 0,
        spanGaps: true,
        fill: line
      };
    });
    var valueAxis = {
      stacked: spec.stacked, beginAtZero: true,
      ticks: { callback: function (value) { return spec.percent ? value + " %" : value; } }
    };
    if (spec.percent && spec.stacked) { valueAxis.max = 100; }
    var labelAxis = { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 0 } };
    var scales = spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    return {
      type: line ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.raw === null ? "—" : item.raw;
                return item.dataset.label + ": " + value + (spec.percent && item.raw !== null ? " %" : "");
              }
            }
          }
        }
      }
    };
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var sources = {};
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var sourceId = canvas.getAttribute("data-source");
      if (!(sourceId in sources)) {
        var holder = document.getElementById(sourceId);
        sources[sourceId] = holder ? JSON.parse(holder.textContent) : {};
      }
      var spec = sources[sourceId][canvas.getAttribute("data-chart")];
      if (!spec || canvas.getAttribute("data-drawn") === "true") { return; }
      new window.Chart(canvas, config(spec));
      canvas.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSettle", draw);
}());
