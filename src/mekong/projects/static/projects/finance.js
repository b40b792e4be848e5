// Budget against spending by year, in the currency the reader picks (ECharts).
(function () {
  "use strict";
  var el = document.getElementById("finance-chart");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.dataset.chart);
  var chart = echarts.init(el);
  var buttons = document.querySelectorAll(".currency-switch button");
  function show(currency) {
    var d = data[currency] || { years: [], budget: [], spent: [] };
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toLocaleString() + " " + currency; } },
      legend: { top: 0, right: 10, data: [el.dataset.labelBudget, el.dataset.labelSpent] },
      grid: { left: 90, right: 20, top: 50, bottom: 30 },
      xAxis: { type: "category", data: d.years },
      yAxis: { type: "value", name: currency, axisLabel: { formatter: function (v) { return v.toLocaleString(); } } },
      series: [
        { name: el.dataset.labelBudget, type: "bar", data: d.budget, itemStyle: { color: "#9fb3a8" } },
        { name: el.dataset.labelSpent, type: "bar", data: d.spent, itemStyle: { color: "#0b6e4f" } }
      ]
    }, true);
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.currency === currency)); });
    el.dataset.currency = currency;
  }
  buttons.forEach(function (b) { b.addEventListener("click", function () { show(b.dataset.currency); }); });
  window.addEventListener("resize", function () { chart.resize(); });
  show(Object.keys(data)[0] || "CNY");
  el.dataset.ready = "true";
})();
