/* Draw every plotly chart on the page from its JSON (Django's json_script): the
 * initiative page's target charts, the only interactive ones. The overview's charts are
 * SVG drawn on the server and load neither plotly nor this file.
 *
 * A chart inside a closed <details> is drawn when it is first opened: plotly needs the
 * element's real width. The chart itself is aria-hidden; the text summary and the table
 * beside it carry the same information for screen readers and keyboard users. */
(function () {
  "use strict";
  // topojsonURL: plotly's default points at its CDN; it is only read by geo charts, which
  // our bundle does not contain, but nothing here may ever point outside our own site.
  var config = {
    displayModeBar: false,
    responsive: true,
    locale: "da",
    topojsonURL: "/static/vendor/plotly/"
  };

  function registerDanish() {
    Plotly.register({
      moduleType: "locale",
      name: "da",
      dictionary: {},
      format: {
        days: ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
        shortDays: ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
        months: ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december"],
        shortMonths: ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
          "nov", "dec"],
        date: "%d.%m.%Y",
        decimal: ",",
        thousands: "."
      }
    });
  }

  function draw(el) {
    if (el.dataset.drawn || typeof Plotly === "undefined") return;
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var fig = JSON.parse(source.textContent);
    el.dataset.drawn = "1";
    Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
      el.classList.add("chart-drawn");
    });
  }

  function drawVisible(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (!el.closest("details:not([open])")) draw(el);
    });
  }

  // A link to "#mal-12" opens that target's <details> (a closed one hides its content).
  function openFromHash() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS" && !target.open) target.open = true;
  }
  window.addEventListener("hashchange", openFromHash);

  document.addEventListener("DOMContentLoaded", function () {
    openFromHash();
    if (typeof Plotly === "undefined") return;
    registerDanish();
    drawVisible(document);
    document.querySelectorAll("details").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) drawVisible(details);
      });
    });
  });
})();
