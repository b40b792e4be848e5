// Results dashboard: fills the page's charts and tables from /api/dashboards/<id>/ (ECharts).
// Every word comes from the page (json_script "dashboard-config"); this file holds none.
(function () {
  "use strict";
  var configEl = document.getElementById("dashboard-config");
  if (!configEl || !window.echarts) { return; }
  var cfg = JSON.parse(configEl.textContent);
  var L = cfg.labels;
  var COLOURS = { target: "#9fb3a8", actual: "#0b6e4f", band: "rgba(11,110,79,0.18)", missing: "#bbbbbb" };
  var charts = [];
  var pending = 0;

  function busy(delta) {
    pending += delta;
    document.body.dataset.dashboardReady = pending === 0 ? "true" : "false";
  }

  // Numbers as Django writes them for this language (separators passed by the page).
  function fmt(value, decimals) {
    if (value === null || value === undefined || isNaN(value)) { return "–"; }
    var fixed = Number(value).toFixed(decimals === undefined ? 1 : decimals);
    var parts = fixed.split(".");
    var sign = parts[0].charAt(0) === "-" ? "-" : "";
    var whole = parts[0].replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, cfg.thousand_separator);
    return sign + whole + (parts[1] ? cfg.decimal_separator + parts[1] : "");
  }

  function fetchJson(path, params) {
    var query = Object.keys(params || {}).filter(function (k) {
      return params[k] !== null && params[k] !== undefined && params[k] !== "";
    }).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
    var url = path.charAt(0) === "/" ? path : cfg.api + path;
    busy(1);
    return fetch(url + (query ? "?" + query : ""), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
        return r.json();
      })
      .finally(function () { busy(-1); });
  }

  function sized(chart) {
    var el = chart.getDom();
    return el.clientWidth > 0 && el.clientHeight > 0;
  }

  function chartIn(id) {
    var el = document.getElementById(id);
    var chart = echarts.init(el);
    charts.push(chart);
    return chart;
  }

  function failed(el, err) {
    el.textContent = L.loading_failed + " " + String(err);
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  // --- targets and actuals --------------------------------------------------------------
  function drawTargets() {
    var el = document.getElementById("chart-targets");
    var chart = chartIn("chart-targets");
    return fetchJson("targets", { period: cfg.period }).then(function (data) {
      var rows = data.rows;
      // A partial scope has no percentage of the framework's targets, and raw values of
      // different units cannot share one axis; a period without targets has no bars to
      // draw: the table alone says it.
      el.hidden = !data.whole_scope || !rows.some(function (r) { return r.target !== null; });
      // Units differ between indicators, so the bars show each as a percentage of its target
      // when there is one; the tooltip gives the figures in their own units.
      chart.setOption({
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (items) {
            var row = rows[items[0].dataIndex];
            return "<b>" + echarts.format.encodeHTML(row.indicator.code + " · " + row.indicator.name) + "</b><br>" +
              L.target + ": " + row.target_text + " " + echarts.format.encodeHTML(row.indicator.unit_label) + "<br>" +
              L.actual + ": " + row.actual_text + " " + echarts.format.encodeHTML(row.indicator.unit_label) +
              (row.percent_of_target === null ? "" : "<br>" + L.percent_of_target + ": " + row.percent_text);
          }
        },
        legend: { top: 0, right: 10, data: [L.target, L.actual] },
        grid: { left: 50, right: 20, top: 40, bottom: 60 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.indicator.code; }), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", name: data.whole_scope ? L.percent_of_target : L.value, axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
        series: [
          { name: L.target, type: "bar", itemStyle: { color: COLOURS.target },
            data: rows.map(function (r) { return data.whole_scope ? (r.target === null ? null : 100) : r.target; }) },
          { name: L.actual, type: "bar", itemStyle: { color: COLOURS.actual },
            data: rows.map(function (r) { return data.whole_scope ? (r.percent_of_target === null ? null : Math.round(r.percent_of_target * 10) / 10) : r.actual; }) }
        ]
      }, true);
      var body = document.querySelector("#table-targets tbody");
      body.textContent = "";
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        tr.appendChild(text("td", r.indicator.code + " · " + r.indicator.name + (r.indicator.unit_label ? " (" + r.indicator.unit_label + ")" : "")));
        tr.appendChild(text("td", r.direction_label));
        tr.appendChild(text("td", r.baseline === null ? "–" : fmt(r.baseline, r.indicator.decimals), "num"));
        tr.appendChild(text("td", r.target_text, "num"));
        var actual = text("td", r.actual_text, "num");
        if (r.unavailable_reason) { actual.title = r.unavailable_reason; }
        tr.appendChild(actual);
        tr.appendChild(text("td", r.percent_text, "num"));
        tr.appendChild(r.met === null ? text("td", r.actual === null ? L.no_value : "–", "muted")
          : text("td", r.met ? L.met : L.not_met, r.met ? "met" : "not-met"));
        body.appendChild(tr);
      });
      el.dataset.ready = "true";
    }).catch(function (err) { failed(el, err); });
  }

  // --- headcount by village and round with CI bands ---------------------------------------
  function drawHeadcount() {
    var el = document.getElementById("chart-headcount");
    var chart = chartIn("chart-headcount");
    var schemeSelect = document.getElementById("headcount-scheme");
    var villageSelect = document.getElementById("headcount-village");
    var current = null;

    function fillSelect(select, options, chosen) {
      select.textContent = "";
      options.forEach(function (o) {
        var opt = text("option", o.label);
        opt.value = o.value;
        if (o.value === chosen) { opt.selected = true; }
        select.appendChild(opt);
      });
    }

    function show() {
      var series = current.series;
      if (!series) { chart.clear(); el.dataset.ready = "true"; return; }
      var village = series.villages.filter(function (v) { return v.code === villageSelect.value; })[0] || series.villages[0];
      var rounds = series.rounds;
      var byRound = {};
      village.values.forEach(function (v) { byRound[v.round] = v; });
      var pick = function (key) { return rounds.map(function (r) { var v = byRound[r.code]; return v ? v[key] : null; }); };
      var low = pick("ci_low");
      var high = pick("ci_high");
      chart.setOption({
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var v = byRound[rounds[items[0].dataIndex].code] || {};
            return "<b>" + echarts.format.encodeHTML(village.name) + "</b> · " + echarts.format.encodeHTML(rounds[items[0].dataIndex].label) + "<br>" +
              L.estimate + ": " + fmt(v.estimate) + " %<br>" + L.ci + ": " + fmt(v.ci_low) + " – " + fmt(v.ci_high) +
              "<br>" + L.observations + ": " + fmt(v.n, 0);
          }
        },
        legend: { top: 0, right: 10, data: [L.estimate, L.ci] },
        grid: { left: 50, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", boundaryGap: false, data: rounds.map(function (r) { return r.label; }) },
        yAxis: { type: "value", name: L.headcount, min: 0, axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
        series: [
          // The band is a transparent base at the lower bound with the interval's width stacked on it.
          { name: "ci-base", type: "line", data: low, stack: "ci", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
          { name: L.ci, type: "line", stack: "ci", symbol: "none", lineStyle: { opacity: 0 }, color: COLOURS.band,
            areaStyle: { color: COLOURS.band },
            data: high.map(function (h, i) { return h === null || low[i] === null ? null : h - low[i]; }) },
          { name: L.estimate, type: "line", data: pick("estimate"), symbolSize: 8, itemStyle: { color: COLOURS.actual }, lineStyle: { width: 3 } }
        ]
      }, true);
      el.dataset.village = village.code;
      el.dataset.ready = "true";
    }

    function load(scheme) {
      return fetchJson("headcount", { scheme: scheme }).then(function (data) {
        current = data;
        fillSelect(schemeSelect, data.schemes.map(function (s) { return { value: s, label: s }; }), data.scheme);
        var villages = data.series ? data.series.villages : [];
        fillSelect(villageSelect, villages.map(function (v) { return { value: v.code, label: v.name + " · " + v.country }; }), villages.length ? villages[0].code : null);
        if (!data.series) { el.textContent = L.no_data; el.dataset.ready = "true"; return; }
        show();
      }).catch(function (err) { failed(el, err); });
    }
    schemeSelect.addEventListener("change", function () { load(schemeSelect.value); });
    villageSelect.addEventListener("change", show);
    return load(null);
  }

  // --- MPI composition ----------------------------------------------------------------------
  function drawMpi() {
    var el = document.getElementById("chart-mpi");
    var note = document.getElementById("mpi-summary");
    return fetchJson("mpi", {}).then(function (data) {
      if (!data.available) { note.textContent = data.reason; el.hidden = true; return; }
      var c = data.composition;
      note.textContent = c.scheme + " · " + c.round + " · H = " + fmt(c.H) + " %, A = " + fmt(c.A, 3) + ", M0 = " + fmt(c.M0, 3);
      var chart = chartIn("chart-mpi");
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var i = c.indicators[p.seriesIndex];
            return "<b>" + echarts.format.encodeHTML(i.name) + "</b><br>" + L.contribution + ": " + fmt(i.contribution) +
              "<br>" + L.censored_headcount + ": " + fmt(i.censored_headcount) + "<br>" + L.weight + ": " + fmt(i.weight, 3);
          }
        },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 40, right: 20, top: 20, bottom: 60 },
        xAxis: { type: "value", max: 100, name: L.contribution, nameLocation: "middle", nameGap: 25, axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
        yAxis: { type: "category", data: [c.round] },
        series: c.indicators.map(function (i) {
          return { name: i.name, type: "bar", stack: "m0", barWidth: "45%", data: [Math.round(i.contribution * 10) / 10],
            label: { show: i.contribution >= 6, formatter: function (p) { return fmt(p.value, 0); } } };
        })
      }, true);
      el.dataset.ready = "true";
    }).catch(function (err) { failed(el, err); });
  }

  // --- growth incidence curve -------------------------------------------------------------
  function drawGic() {
    var el = document.getElementById("chart-gic");
    var note = document.getElementById("gic-summary");
    return fetchJson("gic", {}).then(function (data) {
      if (!data.available) { note.textContent = data.reason; el.hidden = true; return; }
      var g = data.curve;
      note.textContent = g.from_round + " → " + g.to_round + " · " + L.mean_growth + ": " + fmt(g.mean_growth) + " %";
      var chart = chartIn("chart-gic");
      var xs = g.points.map(function (p) { return p.p; });
      var low = g.points.map(function (p) { return p.ci_low; });
      chart.setOption({
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var p = g.points[items[0].dataIndex];
            return L.percentile + " " + p.p + "<br>" + L.growth + ": " + fmt(p.growth) + "<br>" + L.ci + ": " + fmt(p.ci_low) + " – " + fmt(p.ci_high);
          }
        },
        legend: { top: 0, right: 10, data: [L.growth, L.ci] },
        grid: { left: 50, right: 20, top: 40, bottom: 45 },
        xAxis: { type: "category", boundaryGap: false, data: xs, name: L.percentile, nameLocation: "middle", nameGap: 28 },
        yAxis: { type: "value", name: "%", axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
        series: [
          { name: "ci-base", type: "line", data: low, stack: "ci", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
          { name: L.ci, type: "line", stack: "ci", symbol: "none", lineStyle: { opacity: 0 }, color: COLOURS.band, areaStyle: { color: COLOURS.band },
            data: g.points.map(function (p) { return p.ci_high === null || p.ci_low === null ? null : p.ci_high - p.ci_low; }) },
          { name: L.growth, type: "line", data: g.points.map(function (p) { return p.growth; }), symbol: "none", itemStyle: { color: COLOURS.actual }, lineStyle: { width: 3 },
            markLine: { symbol: "none", data: [{ yAxis: g.mean_growth, name: L.mean_growth }], label: { formatter: L.mean_growth, position: "insideEndTop" }, lineStyle: { type: "dashed", color: "#555" } } }
        ]
      }, true);
      el.dataset.ready = "true";
    }).catch(function (err) { failed(el, err); });
  }

  // --- map coloured by the chosen indicator ---------------------------------------------
  function drawMap() {
    var el = document.getElementById("dashboard-map");
    var status = document.getElementById("map-status");
    var select = document.getElementById("map-indicator");
    var chart = null;
    var latest = 0;

    // ECharts 6.1.0 throws from its geo layout whenever the chart measures 0x0
    // (apache/echarts#21706): draw once the container has a size.
    function setMapOption(option) {
      if (!sized(chart)) {
        window.requestAnimationFrame(function () { setMapOption(option); });
        return;
      }
      chart.resize();
      chart.setOption(option, { replaceMerge: ["series", "visualMap"] });
    }

    function show(indicatorId) {
      el.dataset.ready = "false";
      var ticket = ++latest;
      return fetchJson("map", { indicator: indicatorId, period: cfg.period }).then(function (data) {
        // Only the newest request draws: an older answer arriving late must not overwrite it.
        if (ticket !== latest || chart === null) { return; }
        var unit = data.indicator.unit_label;
        var known = data.villages.filter(function (v) { return v.value !== null; });
        var missing = data.villages.filter(function (v) { return v.value === null; });
        var point = function (v) { return { name: v.name, value: [v.lon, v.lat, v.value], village: v }; };
        // Centre and zoom on the villages that have coordinates; a NaN here would make
        // ECharts' geo transform singular.
        var placed = data.villages.filter(function (v) { return isFinite(Number(v.lat)) && isFinite(Number(v.lon)) && v.lat !== null && v.lon !== null; });
        var lats = placed.map(function (v) { return Number(v.lat); });
        var lons = placed.map(function (v) { return Number(v.lon); });
        var center = placed.length ? [(Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2, (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2] : [101.5, 17.0];
        var span = placed.length ? Math.max(Math.max.apply(null, lons) - Math.min.apply(null, lons), Math.max.apply(null, lats) - Math.min.apply(null, lats), 0.5) : 20;
        var lower = data.indicator.direction === "decrease";
        var option = {
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              var v = p.data.village;
              return "<b>" + echarts.format.encodeHTML(v.name) + "</b> · " + echarts.format.encodeHTML(v.country) + "<br>" +
                echarts.format.encodeHTML(data.indicator.code) + ": " + (v.value === null ? L.no_value : fmt(v.value, data.indicator.decimals) + " " + echarts.format.encodeHTML(unit)) +
                (v.ci_low === null ? "" : "<br>" + L.ci + ": " + fmt(v.ci_low) + " – " + fmt(v.ci_high));
            }
          },
          geo: { map: "mekong", roam: true, center: center, zoom: Math.max(1, Math.min(10, 18 / span)),
            itemStyle: { areaColor: "#eef3f0", borderColor: "#9fb3a8" }, emphasis: { itemStyle: { areaColor: "#dfeae4" }, label: { show: false } } },
          visualMap: {
            type: "continuous", seriesIndex: 0, dimension: 2, calculable: true, left: 10, bottom: 10,
            min: data.min === null ? 0 : data.min, max: data.max === null || data.max === data.min ? (data.min || 0) + 1 : data.max,
            text: [data.indicator.code + " " + unit, ""], formatter: function (v) { return fmt(v, data.indicator.decimals); },
            // Red is the bad end: high values for "lower is better", low ones otherwise.
            inRange: { color: lower ? ["#1a9850", "#fee08b", "#d73027"] : ["#d73027", "#fee08b", "#1a9850"] }
          },
          series: [
            { name: data.indicator.code, type: "scatter", coordinateSystem: "geo", data: known.map(point), symbolSize: 11,
              itemStyle: { borderColor: "#fff", borderWidth: 1 } },
            { name: L.no_value, type: "scatter", coordinateSystem: "geo", data: missing.map(point), symbolSize: 7,
              itemStyle: { color: COLOURS.missing, borderColor: "#fff", borderWidth: 1 } }
          ]
        };
        setMapOption(option);
        status.textContent = missing.length ? L.no_value + ": " + missing.length + " / " + data.villages.length + " " + L.villages.toLowerCase() : "";
        el.dataset.indicator = String(data.indicator.id);
        el.dataset.ready = "true";
      }).catch(function (err) { failed(status, err); });
    }

    select.addEventListener("change", function () {
      cfg.map_indicator = Number(select.value);
      if (chart !== null) { show(select.value); }
      drawDrill(null);
    });
    return fetchJson(cfg.boundaries, {}).then(function (geojson) {
      echarts.registerMap("mekong", geojson);
      chart = echarts.init(el);
      charts.push(chart);
      return show(select.value);
    }).catch(function (err) { failed(status, err); });
  }

  // --- drill-down table -------------------------------------------------------------------
  var drillLatest = 0;
  function drawDrill(area) {
    var table = document.getElementById("table-drill");
    var body = table.querySelector("tbody");
    var crumbs = document.getElementById("drill-path");
    var ticket = ++drillLatest;
    return fetchJson("drilldown", { indicator: cfg.map_indicator, period: cfg.period, area: area }).then(function (data) {
      if (ticket !== drillLatest) { return; }
      crumbs.textContent = "";
      data.path.forEach(function (c, i) {
        if (i > 0) { crumbs.appendChild(document.createTextNode(" › ")); }
        if (i < data.path.length - 1) {
          var b = text("button", c.name, "link");
          b.type = "button";
          b.addEventListener("click", function () { drawDrill(c.key); });
          crumbs.appendChild(b);
        } else {
          crumbs.appendChild(text("span", c.name));
        }
      });
      body.textContent = "";
      var decimals = data.indicator.decimals;
      data.rows.forEach(function (r) {
        var tr = document.createElement("tr");
        var place = document.createElement("td");
        if (r.key) {
          var b = text("button", r.name, "link");
          b.type = "button";
          b.addEventListener("click", function () { drawDrill(r.key); });
          place.appendChild(b);
        } else {
          place.textContent = r.name;
        }
        tr.appendChild(place);
        tr.appendChild(text("td", r.value === null ? L.no_value : r.text, "num"));
        tr.appendChild(text("td", r.ci_low === null ? "–" : fmt(r.ci_low, decimals) + " – " + fmt(r.ci_high, decimals), "num"));
        tr.appendChild(text("td", fmt(r.n, 0), "num"));
        tr.appendChild(text("td", fmt(r.villages, 0), "num"));
        tr.appendChild(text("td", L["method_" + r.method], "muted"));
        body.appendChild(tr);
      });
      table.dataset.level = data.level;
      table.dataset.ready = "true";
    }).catch(function (err) { failed(crumbs, err); });
  }

  // A chart without a size keeps its layout until it has one again (see setMapOption).
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { if (sized(c)) { c.resize(); } });
  });
  busy(0);
  drawTargets();
  drawHeadcount();
  drawMpi();
  drawGic();
  drawMap();
  if (cfg.map_indicator !== null) { drawDrill(null); }
})();
