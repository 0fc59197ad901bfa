/* Dashboards: draws each chart from the figure JSON its panel carries, with the one
   plotly.js bundle; a heatmap row opens that team's page. No inline script. */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false };

  function json(id) {
    var source = id && document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function followRows(chart, links) {
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var url = point && links[point.y];
      if (url) {
        window.location.assign(url);
      }
    });
  }

  function draw(chart) {
    var figure = json(chart.dataset.figure);
    if (!figure) {
      return;
    }
    chart.textContent = "";
    Plotly.newPlot(chart, figure.data, figure.layout, CONFIG).then(function () {
      var links = json(chart.dataset.links);
      if (links) {
        followRows(chart, links);
      }
      chart.dataset.rendered = "true";
    });
  }

  if (typeof Plotly === "undefined") {
    return; // the fallback text and the data tables stay
  }
  document.querySelectorAll(".chart[data-figure]").forEach(draw);
})();
