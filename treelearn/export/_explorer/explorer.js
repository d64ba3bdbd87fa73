/* treelearn tree explorer (part of treelearn, BSD-3-Clause).
 *
 * Draws the tree of the JSON document in #tl-data as SVG: a tidy layered
 * layout of the visible nodes (each visible leaf or collapsed node takes one
 * column, a parent sits above the middle of its children), zoom and pan on a
 * transform of #tl-view, collapse/expand, search by feature name, a detail
 * panel per node and the route of a chosen row. Plain ES2015, no libraries,
 * nothing fetched.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tl-data").textContent);
  var N = data.nodes;
  var n = data.node_count;
  var W = 172, EMPTY_W = 84, H = 54, GAP = 22, LEVEL = 118;
  var svg = document.getElementById("tl-svg");
  var view = document.getElementById("tl-view");

  // ---------------------------------------------------------------- structure
  function kids(v) {
    var out = [], f = N.first_child[v];
    for (var s = 0; s < N.n_children[v]; s++) out.push(f + s);
    return out;
  }
  var pre = [], todo = [0];  // every node, parents before children
  while (todo.length) {
    var u0 = todo.pop(), k0 = kids(u0);
    pre.push(u0);
    for (var i0 = k0.length - 1; i0 >= 0; i0--) todo.push(k0[i0]);
  }
  function subtreeSums(own) {  // per node: the sum of own[] over its subtree
    var out = new Array(n);
    for (var i = pre.length - 1; i >= 0; i--) {
      var v = pre[i], k = kids(v), t = own(v);
      for (var j = 0; j < k.length; j++) t += out[k[j]];
      out[v] = t;
    }
    return out;
  }
  var size = subtreeSums(function () { return 1; });  // nodes in each subtree
  var matchesIn = null;  // matches in each subtree, while a search is on
  var collapsed = new Array(n);
  function resetCollapse() {
    for (var v = 0; v < n; v++) collapsed[v] = N.n_children[v] > 0 && N.depth[v] >= data.open_depth;
  }
  resetCollapse();
  var selected = -1, matches = {}, onPath = {}, pathWeight = {};

  // ---------------------------------------------------------------- text helpers
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function clip(s, m) { s = String(s); return s.length > m ? s.slice(0, m - 1) + "\u2026" : s; }
  function unit() { return data.unit ? " " + data.unit : ""; }
  function exact(x) { return x === null ? "\u2014" : String(x); }
  function pct(x) { return (100 * x).toFixed(x < 0.1 ? 1 : 0) + "%"; }

  // ---------------------------------------------------------------- layout
  var pos = {};  // visible node -> [x, y]
  var order = [];  // visible nodes, parents first
  function layout() {
    pos = {}; order = [];
    var col = 0, stack = [[0, false]];
    while (stack.length) {
      var item = stack.pop(), v = item[0];
      var k = collapsed[v] ? [] : kids(v);
      if (item[1] || !k.length) {
        var x;
        if (!k.length) { var w = width(v); x = col + w / 2; col += w + GAP; }
        else x = (pos[k[0]][0] + pos[k[k.length - 1]][0]) / 2;
        pos[v] = [x, N.depth[v] * LEVEL];
        continue;
      }
      stack.push([v, true]);
      for (var i = k.length - 1; i >= 0; i--) stack.push([k[i], false]);
    }
    var st = [0];
    while (st.length) {
      var u = st.pop();
      order.push(u);
      if (!collapsed[u]) { var c = kids(u); for (var j = c.length - 1; j >= 0; j--) st.push(c[j]); }
    }
  }

  // ---------------------------------------------------------------- drawing
  function width(v) { return N.is_empty[v] && !N.n_children[v] ? EMPTY_W : W; }
  function edgeWidth(v) { return Math.max(1, 14 * Math.sqrt(Math.max(N.weight[v], 0) / Math.max(N.weight[0], 1e-300))); }
  function nodeSvg(v) {
    var p = pos[v], w = width(v), x = p[0] - w / 2, y = p[1] - H / 2;
    var cls = "node" + (N.is_empty[v] ? " empty" : "") + (matches[v] ? " match" : "") +
      (onPath[v] ? " onpath" : "") + (v === selected ? " selected" : "");
    var line2 = data.impurity_label + " " + N.impurity_text[v] +
      (N.n_children[v] ? " \u00b7 " + data.score_label + " " + N.score_text[v] : "");
    var line3 = N.is_empty[v] ? "empty: predicts like its parent" :
      "n = " + N.weight_text[v] + (N.n_children[v] ? " \u00b7 " + data.class_names[N.leaf_class[v]] : " [" + N.counts_text[v].join(", ") + "]");
    var tip = N.test[v] + "\n" + data.impurity_label + " = " + N.impurity_text[v] + unit() +
      (N.n_children[v] ? "\n" + data.score_label + " = " + N.score_text[v] : "") +
      "\nweight = " + N.weight_text[v] + "\ncounts = [" + N.counts_text[v].join(", ") + "]";
    var s = '<g class="' + cls + '" data-id="' + v + '" transform="translate(' + x + "," + y + ')">' +
      (big ? "" : "<title>" + esc(tip) + "</title>") +
      '<rect width="' + w + '" height="' + H + '" rx="6" fill="' + N.fill[v] + '"></rect>';
    if (w < W) {
      return s + '<text class="t" x="6" y="15">' + esc(clip(N.test[v], 12)) + '</text><text x="6" y="31">empty</text>' +
        '<text x="6" y="46">like parent</text></g>';
    }
    if (big) return s + '<text class="t" x="6" y="31">' + esc(clip(N.test[v], 27)) + "</text></g>" + toggleSvg(v, p);
    s +=
      '<text class="t" x="6" y="15">' + esc(clip(N.test[v], 27)) + "</text>" +
      '<text x="6" y="31">' + esc(clip(line2, 31)) + "</text>" +
      '<text x="6" y="46">' + esc(clip(line3, 31)) + "</text></g>";
    return s + toggleSvg(v, p);
  }
  function toggleSvg(v, p) {
    if (!N.n_children[v]) return "";
    var s = '<g class="toggle" data-toggle="' + v + '" transform="translate(' + p[0] + "," + (p[1] + H / 2 + 8) + ')">' +
      '<circle r="8"></circle><text y="4">' + (collapsed[v] ? "+" : "\u2212") + "</text></g>";
    if (collapsed[v]) {
      var hidden = matchesIn ? matchesIn[v] - (matches[v] ? 1 : 0) : 0;
      s += '<text class="badge' + (hidden ? " hasmatch" : "") + '" x="' + p[0] + '" y="' + (p[1] + H / 2 + 30) + '">' +
        (size[v] - 1) + " more nodes" + (hidden ? " \u00b7 " + hidden + (hidden === 1 ? " match" : " matches") : "") + "</text>";
    }
    return s;
  }
  function edgeSvg(v) {
    var u = N.parent[v], a = pos[u], b = pos[v];
    var y0 = a[1] + H / 2 + 16, y1 = b[1] - H / 2, my = (y0 + y1) / 2;
    var d = "M" + a[0] + "," + y0 + " C" + a[0] + "," + my + " " + b[0] + "," + my + " " + b[0] + "," + y1;
    var s = '<path class="edge' + (onPath[v] ? " onpath" : "") + '" data-edge="' + v + '" d="' + d +
      '" stroke-width="' + edgeWidth(v).toFixed(2) + '">' +
      (big ? "" : "<title>" + esc(N.edge[v]) + " (weight " + esc(N.weight_text[v]) + ")</title>") + "</path>";
    if (big && !onPath[v]) return s;  // thousands of nodes in view: labels on the route only
    var lx = b[0], ly = y1 - 27;
    s += '<text class="elabel" x="' + lx + '" y="' + ly + '">' + esc(clip(N.edge[v], 28)) + "</text>";
    if (N.missing_routed[u]) {
      s += '<text class="elabel missing" x="' + lx + '" y="' + (ly + 11) + '">missing \u2192 ' + pct(N.missing_fraction[v]) + "</text>";
    }
    if (onPath[v] && pathWeight[v] < 1 - 1e-12) {
      s += '<text class="elabel missing" x="' + lx + '" y="' + (ly - 11) + '">row weight ' + (+pathWeight[v].toFixed(4)) + "</text>";
    }
    return s;
  }
  // With thousands of nodes in view the browser spends its time on elements, not
  // on script: draw each node as a box and its test, without tooltips and edge labels.
  var BIG = 2500, big = false;
  function draw() {
    layout();
    big = order.length > BIG;
    var parts = [];
    for (var i = 0; i < order.length; i++) if (order[i] !== 0) parts.push(edgeSvg(order[i]));
    for (var j = 0; j < order.length; j++) parts.push(nodeSvg(order[j]));
    view.innerHTML = parts.join("");
    applyTransform();
  }

  // ---------------------------------------------------------------- zoom and pan
  var tx = 0, ty = 0, sc = 1;
  function applyTransform() { view.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + sc + ")"); }
  function bounds(list) {
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (var i = 0; i < list.length; i++) {
      var p = pos[list[i]];
      if (!p) continue;
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    }
    return [x0 - W / 2 - 10, y0 - H / 2 - 10, x1 + W / 2 + 10, y1 + H / 2 + 40];
  }
  // fit(): the whole visible tree in the window; fit(min): no smaller than
  // scale min (the opening view of a big tree stays readable, centred on the root)
  function fit(minScale, list) {
    var b = bounds(list || order), r = svg.getBoundingClientRect();
    var w = Math.max(r.width, 100), h = Math.max(r.height, 100);
    sc = Math.min(w / (b[2] - b[0]), h / (b[3] - b[1]), 1.25);
    if (typeof minScale === "number" && sc < minScale) {
      sc = minScale;
      tx = w / 2 - sc * pos[(list || order)[0]][0];
    } else {
      tx = (w - sc * (b[2] + b[0])) / 2;
    }
    ty = 10 - sc * b[1];
    applyTransform();
  }
  function home() { fit(0.7); }
  function zoomAt(f, cx, cy) {
    var ns = Math.min(Math.max(sc * f, 0.02), 6);
    tx = cx - (cx - tx) * ns / sc; ty = cy - (cy - ty) * ns / sc; sc = ns;
    applyTransform();
  }
  function centre(v) {
    var r = svg.getBoundingClientRect(), p = pos[v];
    if (!p) return;
    tx = r.width / 2 - sc * p[0]; ty = Math.min(r.height / 3, r.height / 2 - sc * p[1]);
    applyTransform();
  }
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (e) {
    drag = { x: e.clientX, y: e.clientY, tx: tx, ty: ty, moved: false };
  });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; svg.classList.add("tl-dragging"); }
    tx = drag.tx + dx; ty = drag.ty + dy; applyTransform();
  });
  window.addEventListener("mouseup", function () {
    svg.classList.remove("tl-dragging");
    setTimeout(function () { drag = null; }, 0);
  });

  // ---------------------------------------------------------------- clicks
  svg.addEventListener("click", function (e) {
    if (drag && drag.moved) return;
    var t = e.target.closest ? e.target.closest("[data-toggle],[data-id]") : null;
    if (!t) return;
    if (t.hasAttribute("data-toggle")) { toggle(+t.getAttribute("data-toggle")); return; }
    select(+t.getAttribute("data-id"));
  });
  function toggle(v) { collapsed[v] = !collapsed[v]; draw(); }
  function reveal(v) {  // expand every ancestor of v
    for (var u = N.parent[v]; u >= 0; u = N.parent[u]) collapsed[u] = false;
  }

  // ---------------------------------------------------------------- detail panel
  function select(v) {
    selected = v;
    draw();
    showDetail(v);
  }
  function row(label, value, attrs) {
    return "<tr><th>" + esc(label) + "</th><td" + (attrs || "") + ">" + value + "</td></tr>";
  }
  function showDetail(v) {
    var h = "<h2>node " + v + (N.n_children[v] ? "" : " (leaf)") + "</h2><table>";
    h += row("test", esc(N.test[v]), ' data-field="test"');
    h += row(data.impurity_label, esc(N.impurity_text[v] + unit()) + ' <span class="tl-exact">' + esc(exact(N.impurity[v])) + "</span>",
      ' data-field="impurity" data-value="' + esc(exact(N.impurity[v])) + '"');
    if (N.n_children[v]) {
      h += row(data.score_label, esc(N.score_text[v]) + ' <span class="tl-exact">' + esc(exact(N.split_score[v])) + "</span>",
        ' data-field="score" data-value="' + esc(exact(N.split_score[v])) + '"');
      if (data.show_gain) h += row(data.gain_label, esc(exact(N.gain[v])), ' data-field="gain"');
    }
    h += row("weight", esc(N.weight_text[v]), ' data-field="weight" data-value="' + N.weight[v] + '"');
    if (N.n_node_samples[v] !== N.weight[v]) h += row("training rows", esc(N.n_node_samples[v]));
    h += row("predicts", esc(data.class_names[N.leaf_class[v]]), ' data-field="class"');
    h += row("depth", esc(N.depth[v]));
    h += "</table>";
    if (N.is_empty[v]) h += '<p class="tl-note">Empty: no training weight reached this node; it predicts with its parent\'s distribution.</p>';
    h += "<h3>class counts</h3><table data-field=\"counts\">";
    var tot = N.weight[v] > 0 ? N.weight[v] : 1;
    for (var c = 0; c < data.class_names.length; c++) {
      h += '<tr><td><span class="tl-swatch" style="background:' + data.class_colours[c] + '"></span>' + esc(data.class_names[c]) +
        '</td><td class="num" data-value="' + N.value[v][c] + '">' + esc(N.counts_text[v][c]) + '</td><td class="num">' + pct(N.value[v][c] / tot) + "</td></tr>";
    }
    h += "</table>";
    if (N.n_children[v]) {
      h += "<h3>branches</h3><table><tr><th>branch</th><th class=\"num\">weight</th>" +
        (N.missing_routed[v] || N.unseen[v] ? '<th class="num">missing share</th>' : "") + "</tr>";
      var k = kids(v);
      for (var i = 0; i < k.length; i++) {
        h += "<tr><td>" + esc(N.edge[k[i]]) + '</td><td class="num">' + esc(N.weight_text[k[i]]) + "</td>" +
          (N.missing_routed[v] || N.unseen[v] ? '<td class="num">' + pct(N.missing_fraction[k[i]]) + "</td>" : "") + "</tr>";
      }
      h += "</table>";
      if (N.missing_routed[v]) h += '<p class="tl-note">Training cases with a missing value here went down every branch, weighted by the missing share; so does a new case.</p>';
      if (N.unseen[v]) h += '<p class="tl-note">Not seen here in training (routed like a missing value): ' + esc(N.unseen[v].join(", ")) + "</p>";
    }
    h += extras(v);
    document.getElementById("tl-detail").innerHTML = h;
  }
  // Surrogate and competitor splits (rpart's summary()): data.surrogates /
  // data.competitors hold per-node lists of {test, score} (or null).
  function extras(v) {
    var h = "";
    [["surrogates", "surrogate splits"], ["competitors", "competing splits"]].forEach(function (kv) {
      var list = data[kv[0]] && data[kv[0]][v];
      if (!list || !list.length) return;
      h += "<h3>" + kv[1] + "</h3>";
      if (kv[0] === "surrogates") h += '<p class="tl-note">A case whose ' + esc(data.feature_names[N.feature[v]]) +
        " is missing takes the first branch (" + esc(N.edge[kids(v)[0]]) + ") if the first test it has a value for holds, " +
        "the other branch if it fails; with none, the majority branch.</p>";
      if (kv[0] === "competitors") h += '<p class="tl-note">The best split of each runner-up feature here, best first; the chosen split on ' +
        esc(data.feature_names[N.feature[v]]) + " scored " + esc(data.score_label) + " " +
        (N.split_score[v] === null ? "-" : Number(N.split_score[v]).toFixed(data.precision)) + ".</p>";
      h += '<table data-field="' + kv[0] + '">';
      list.forEach(function (e) { h += "<tr><td>" + esc(e.test) + '</td><td class="num">' + esc(e.score) + "</td></tr>"; });
      h += "</table>";
    });
    return h;
  }

  // ---------------------------------------------------------------- search
  var search = document.getElementById("tl-search");
  // Matching nodes are outlined where they are in view; a collapsed node counts the
  // matches it hides; Enter goes to the next match (expanding what hides it).
  var matchList = [], matchAt = -1;
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    matches = {}; matchList = []; matchAt = -1;
    if (q) {
      for (var i = 0; i < pre.length; i++) {
        var v = pre[i];
        if (N.n_children[v] && data.feature_names[N.feature[v]].toLowerCase().indexOf(q) >= 0) {
          matches[v] = true; matchList.push(v);
        }
      }
    }
    matchesIn = q ? subtreeSums(function (v) { return matches[v] ? 1 : 0; }) : null;
    var c = matchList.length;
    document.getElementById("tl-search-count").textContent = q ? c + (c === 1 ? " node" : " nodes") + (c ? " (Enter: next)" : "") : "";
    draw();
  });
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !matchList.length) return;
    e.preventDefault();
    matchAt = (matchAt + 1) % matchList.length;
    var v = matchList[matchAt];
    reveal(v);
    select(v);
    centre(v);
  });

  // ---------------------------------------------------------------- prediction paths
  var rows = data.rows;
  function showRow(r) {
    onPath = {}; pathWeight = {};
    var box = document.getElementById("tl-path");
    if (r === null || !rows || r < 0 || r >= rows.labels.length) { box.hidden = true; draw(); return; }
    var nodes = rows.route[r][0], ws = rows.route[r][1];
    for (var i = 0; i < nodes.length; i++) { onPath[nodes[i]] = true; pathWeight[nodes[i]] = ws[i]; reveal(nodes[i]); }
    var vals = rows.values[r];
    var h = "<h2>row " + esc(rows.labels[r]) + ": " + esc(data.class_names[rows.prediction[r]]) + "</h2>";
    h += '<table data-field="path"><tr><th>node</th><th>test</th><th>value</th><th>branch</th><th class="num">weight</th></tr>';
    var stack = [0];
    while (stack.length) {  // depth-first over the reached nodes, as explain_path lists them
      var v = stack.pop();
      if (!N.n_children[v]) {
        h += '<tr class="tl-step-leaf"><td>' + v + "</td><td colspan=\"3\">" + esc(N.test[v]) + ' <span class="tl-exact">[' +
          esc(N.counts_text[v].join(", ")) + ']</span></td><td class="num">' + (+pathWeight[v].toFixed(4)) + "</td></tr>";
        continue;
      }
      var k = kids(v).filter(function (c) { return onPath[c]; });
      var val = vals[N.feature[v]];
      for (var j = 0; j < k.length; j++) {
        h += "<tr><td>" + v + "</td><td>" + esc(N.test[v]) + "</td><td>" +
          (val === null ? '<span class="tl-note">missing</span>' : esc(val)) + "</td><td>" + esc(N.edge[k[j]]) +
          '</td><td class="num">' + (+pathWeight[k[j]].toFixed(4)) + "</td></tr>";
      }
      for (var m = k.length - 1; m >= 0; m--) stack.push(k[m]);
    }
    h += "</table><h3>probabilities</h3><table>";
    for (var c = 0; c < data.class_names.length; c++) {
      h += '<tr><td><span class="tl-swatch" style="background:' + data.class_colours[c] + '"></span>' + esc(data.class_names[c]) +
        '</td><td class="num">' + rows.proba[r][c].toFixed(4) + "</td></tr>";
    }
    h += "</table>";
    box.innerHTML = h;
    box.hidden = false;
    draw();
    fit(0.3, nodes);  // the whole route in view
  }
  if (rows) {
    document.getElementById("tl-row-box").hidden = false;
    var input = document.getElementById("tl-row"), list = document.getElementById("tl-row-list");
    input.max = rows.labels.length - 1;
    var opts = ['<option value="">choose a row</option>'];
    for (var r = 0; r < rows.labels.length; r++) {
      opts.push('<option value="' + r + '">' + esc(rows.labels[r]) + " \u2192 " + esc(data.class_names[rows.prediction[r]]) + "</option>");
    }
    list.innerHTML = opts.join("");
    input.addEventListener("change", function () {
      var r = input.value === "" ? null : +input.value;
      list.value = r === null ? "" : String(r);
      showRow(r);
    });
    list.addEventListener("change", function () {
      var r = list.value === "" ? null : +list.value;
      input.value = r === null ? "" : r;
      showRow(r);
    });
    document.getElementById("tl-row-clear").addEventListener("click", function () {
      input.value = ""; list.value = ""; showRow(null);
    });
  }

  // ---------------------------------------------------------------- legend, buttons, start
  var lg = "<h3>" + esc(data.estimator) + " \u00b7 " + esc(data.criterion) + "</h3><p>" + n + (n === 1 ? " node" : " nodes") + " \u00b7 " +
    esc(data.impurity_label) + (data.unit ? " in " + esc(data.unit) : "") + " \u00b7 split score: " + esc(data.score_label) + "</p>";
  for (var c = 0; c < data.class_names.length; c++) {
    lg += '<span class="tl-swatch" style="background:' + data.class_colours[c] + '"></span>' + esc(data.class_names[c]) + " &nbsp; ";
  }
  lg += '<p class="tl-hint">Colour: majority class, stronger the purer. Edge width: weight.</p>';
  document.getElementById("tl-legend").innerHTML = lg;
  document.getElementById("tl-title").textContent = data.estimator + " (" + data.criterion + ")";
  document.getElementById("tl-fit").addEventListener("click", function () { fit(); });
  document.getElementById("tl-zoom-in").addEventListener("click", function () { var r = svg.getBoundingClientRect(); zoomAt(1.25, r.width / 2, r.height / 2); });
  document.getElementById("tl-zoom-out").addEventListener("click", function () { var r = svg.getBoundingClientRect(); zoomAt(0.8, r.width / 2, r.height / 2); });
  function expandAll() {
    for (var v = 0; v < n; v++) collapsed[v] = false;
    draw(); fit();
  }
  document.getElementById("tl-expand").addEventListener("click", function () {
    if (n > 5000 && !window.confirm("Draw all " + n + " nodes? This can be slow.")) return;
    expandAll();
  });
  document.getElementById("tl-reset").addEventListener("click", function () { resetCollapse(); draw(); home(); });
  draw();
  home();
  window.treelearnExplorer = {
    data: data, toggle: toggle, select: select, showRow: showRow, fit: fit, centre: centre, expandAll: expandAll,
    visible: function () { return order.slice(); }, ready: true
  };
})();
