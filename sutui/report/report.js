// sutui report: draws the matrix of answers from the JSON in #report-data. Every text goes in
// with textContent, never as HTML: provider text cannot become markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var matrix = data.matrix;
  if (!matrix) return;
  var columns = matrix.columns, rows = matrix.rows;
  var state = { shown: columns.map(function () { return true; }), status: "", text: "",
                sort: "order", by: -1, page: 0, size: 25 };
  var filtered = rows;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function labelled(text, control) {
    var l = el("label");
    l.append(text + " ", control);
    return l;
  }
  function select(id, options, onChange) {
    var s = el("select");
    s.id = id;
    options.forEach(function (o) { var opt = el("option", null, o[1]); opt.value = o[0]; s.append(opt); });
    s.addEventListener("change", function () { onChange(s.value); state.page = 0; update(); });
    return s;
  }

  // ----- controls
  var controls = document.getElementById("controls");
  var suts = el("span");
  suts.id = "f-suts";
  suts.append("SUTs: ");
  columns.forEach(function (name, i) {
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.col = String(i);
    box.addEventListener("change", function () { state.shown[i] = box.checked; state.page = 0; update(); });
    var l = el("label", "sut");
    l.append(box, " " + name);
    suts.append(l, " ");
  });
  var status = select("f-status", [["", "any"], ["done", "done"], ["failed", "failed"],
    ["cancelled", "cancelled"], ["partial", "partial"], ["length", "cut short (length)"]],
    function (v) { state.status = v; });
  var search = el("input");
  search.type = "search";
  search.id = "f-text";
  search.placeholder = "prompt or answer holds…";
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.text = search.value.toLowerCase(); state.page = 0; update(); }, 150);
  });
  var sort = select("f-sort", [["order", "file order"], ["T-", "total time, slowest first"],
    ["T+", "total time, fastest first"], ["n-", "tokens, most first"], ["n+", "tokens, fewest first"]],
    function (v) { state.sort = v; });
  var by = select("f-by", [["-1", "the shown SUTs"]].concat(columns.map(function (n, i) { return [String(i), n]; })),
    function (v) { state.by = Number(v); });
  var size = select("f-size", [["25", "25"], ["50", "50"], ["100", "100"]], function (v) { state.size = Number(v); });
  controls.append(suts, labelled("Status:", status), labelled("Text:", search),
    labelled("Sort by", sort), labelled("of", by), labelled("Per page:", size));

  var pager = document.getElementById("pager");
  var prev = el("button", null, "← previous");
  var next = el("button", null, "next →");
  var where = el("span");
  where.id = "where";
  prev.addEventListener("click", function () { state.page -= 1; draw(); });
  next.addEventListener("click", function () { state.page += 1; draw(); });
  pager.append(prev, next, where);

  // ----- filtering and sorting
  function shownCells(row) {
    var out = [];
    for (var i = 0; i < row.c.length; i++) if (state.shown[i]) out.push(row.c[i]);
    return out;
  }
  function lower(row, i) {  // lowercased texts, made on the first search only
    if (!row.l) {
      row.l = [(row.id + "\n" + row.p + "\n" + (row.sys || "")).toLowerCase()];
      row.c.forEach(function (c) { row.l.push(c ? (c.t + "\n" + (c.r || "") + "\n" + (c.e || "")).toLowerCase() : ""); });
    }
    return row.l[i];
  }
  function matches(row) {
    var cells = shownCells(row);
    if (state.status) {
      var ok = cells.some(function (c) {
        return c && (state.status === "length" ? c.f === "length" : c.s === state.status);
      });
      if (!ok) return false;
    }
    if (state.text) {
      if (lower(row, 0).indexOf(state.text) >= 0) return true;
      for (var i = 0; i < row.c.length; i++) {
        if (state.shown[i] && lower(row, i + 1).indexOf(state.text) >= 0) return true;
      }
      return false;
    }
    return true;
  }
  function sortValue(row, key, most) {
    var cells = state.by >= 0 ? [row.c[state.by]] : shownCells(row);
    var best = null;
    cells.forEach(function (c) {
      if (!c || typeof c[key] !== "number") return;
      if (best === null || (most ? c[key] > best : c[key] < best)) best = c[key];
    });
    return best;
  }
  function update() {
    filtered = rows.filter(matches);
    if (state.sort !== "order") {
      var key = state.sort[0], most = state.sort[1] === "-";
      var keyed = filtered.map(function (row, i) { return [sortValue(row, key, most), i, row]; });
      keyed.sort(function (a, b) {
        if (a[0] === null || b[0] === null) return (a[0] === null) - (b[0] === null) || a[1] - b[1];
        return (most ? b[0] - a[0] : a[0] - b[0]) || a[1] - b[1];
      });
      filtered = keyed.map(function (k) { return k[2]; });
    }
    draw();
  }

  // ----- drawing
  function seconds(s) { return s < 10 ? s.toFixed(2) + " s" : s.toFixed(0) + " s"; }
  function promptCell(row) {
    var td = el("td", "prompt");
    td.append(el("div", "pid", row.id));
    if (row.sys) {
      var sys = el("details");
      sys.append(el("summary", null, "system prompt"), el("div", "text", row.sys));
      td.append(sys);
    }
    if (row.m) {
      var turns = el("details");
      turns.append(el("summary", null, row.m.length + " earlier turn" + (row.m.length === 1 ? "" : "s")));
      row.m.forEach(function (m) { turns.append(el("div", "text", m[0] + ": " + m[1])); });
      td.append(turns);
    }
    td.append(el("div", "text", row.p));
    return td;
  }
  function answerCell(c) {
    if (!c) return el("td", "empty", "no answer");
    var td = el("td", "cell " + c.s);
    td.dataset.status = c.s;
    var figures = el("div", "figures");
    figures.append(el("span", "badge " + c.s, c.s));
    var parts = [];
    if (typeof c.T === "number") parts.push(seconds(c.T));
    if (typeof c.F === "number") parts.push("TTFT " + seconds(c.F));
    if (typeof c.n === "number") parts.push(c.n + (c.n === 1 ? " token" : " tokens"));
    if (c.f && c.f !== "stop") parts.push("finish: " + c.f);
    if (c.c) parts.push("cached");
    figures.append(parts.join(" · "));
    td.append(figures);
    if (c.k || c.e) td.append(el("div", "error", (c.k || "error") + (c.e ? ": " + c.e : "")));
    if (c.r) {
      var reasoning = el("details", "reasoning");
      reasoning.append(el("summary", null, "reasoning (" + c.r.length + " characters)"), el("div", "text", c.r));
      td.append(reasoning);
    }
    td.append(el("div", "text answer", c.t));
    return td;
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(filtered.length / state.size));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    var grid = document.getElementById("grid");
    var head = el("thead"), tr = el("tr");
    var prompt = el("th", null, "prompt");
    tr.append(prompt);
    var shown = 0;
    columns.forEach(function (name, i) { if (state.shown[i]) { tr.append(el("th", null, name)); shown++; } });
    prompt.style.width = shown > 3 ? "16%" : "24%";
    head.append(tr);
    var body = el("tbody");
    filtered.slice(state.page * state.size, (state.page + 1) * state.size).forEach(function (row) {
      var r = el("tr");
      r.append(promptCell(row));
      row.c.forEach(function (c, i) { if (state.shown[i]) r.append(answerCell(c)); });
      body.append(r);
    });
    grid.replaceChildren(head, body);
    where.textContent = "page " + (state.page + 1) + " of " + pages + " · " + filtered.length +
      " of " + rows.length + " prompts";
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    document.body.dataset.drawn = String((Number(document.body.dataset.drawn) || 0) + 1);
  }
  update();
})();
