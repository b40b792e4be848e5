// Draws the programme map with Apache ECharts over the Natural Earth boundaries (no tile server).
(function () {
  "use strict";
  var el = document.getElementById("village-map");
  if (!el || !window.echarts) { return; }
  var status = document.getElementById("map-status");
  var COLOURS = { MMR: "#c0392b", LAO: "#2471a3", KHM: "#b9770e", THA: "#7d3c98", VNM: "#1e8449", CHN: "#555" };

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + " answered " + r.status); }
      return r.json();
    });
  }

  function baseOption(center, zoom) {
    return {
      tooltip: { trigger: "item" },
      geo: {
        map: "mekong", roam: true, center: center, zoom: zoom,
        itemStyle: { areaColor: "#eef3f0", borderColor: "#9fb3a8" },
        emphasis: { itemStyle: { areaColor: "#dfeae4" }, label: { show: false } },
        label: { show: false }
      }
    };
  }

  function drawAll(chart) {
    return fetchJson(el.dataset.villages).then(function (data) {
      var series = {};
      data.villages.forEach(function (v) {
        (series[v.iso3] = series[v.iso3] || { name: v.country, points: [] }).points.push(v);
      });
      var option = baseOption([101.5, 17.0], 1.25);
      option.legend = { top: 8, left: 8, orient: "vertical", backgroundColor: "rgba(255,255,255,0.85)", data: Object.keys(series).map(function (k) { return series[k].name; }) };
      option.tooltip.formatter = function (p) {
        var v = p.data;
        return "<b>" + echarts.format.encodeHTML(v.name) + "</b><br>" +
          (v.demonstration ? el.dataset.labelDemonstration : el.dataset.labelVillage) + "<br>" +
          el.dataset.labelHouseholds + ": " + (v.households == null ? "–" : v.households) + "<br>" +
          el.dataset.labelPopulation + ": " + (v.value[2] || "–");
      };
      option.series = Object.keys(series).map(function (iso3) {
        return {
          type: "scatter", coordinateSystem: "geo", name: series[iso3].name,
          data: series[iso3].points,
          symbolSize: function (val, p) { return (p.data.demonstration ? 8 : 4) + Math.sqrt(val[2] || 0) / 8; },
          itemStyle: { color: COLOURS[iso3] || "#333", opacity: 0.85, borderColor: "#fff", borderWidth: 1 }
        };
      });
      chart.setOption(option);
      chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
      if (status) { status.textContent = ""; }
    });
  }

  function drawSingle(chart) {
    var lonlat = el.dataset.single.split(",").map(Number);
    var option = baseOption(lonlat, 8);
    option.series = [{ type: "effectScatter", coordinateSystem: "geo", symbolSize: 12,
      data: [{ name: el.dataset.name, value: lonlat }], itemStyle: { color: "#c0392b" } }];
    chart.setOption(option);
  }

  // ECharts 6.1.0 throws from its geo layout whenever the chart measures 0x0
  // (apache/echarts#21706), so the map is laid out only while its container has a size:
  // drawn once it has one, and not resized while it has none.
  function sized() { return el.clientWidth > 0 && el.clientHeight > 0; }

  function whenSized() {
    return new Promise(function (resolve) {
      (function check() {
        if (sized()) { resolve(); } else { window.requestAnimationFrame(check); }
      })();
    });
  }

  fetchJson(el.dataset.boundaries).then(function (geojson) {
    echarts.registerMap("mekong", geojson);
    return whenSized();
  }).then(function () {
    var chart = echarts.init(el);
    window.addEventListener("resize", function () { if (sized()) { chart.resize(); } });
    el.dataset.ready = "false";
    var done = el.dataset.single ? Promise.resolve(drawSingle(chart)) : drawAll(chart);
    return done.then(function () { el.dataset.ready = "true"; });
  }).catch(function (err) {
    if (status) { status.textContent = String(err); }
  });
})();
