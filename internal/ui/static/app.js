// otelcol-llm web UI: a hash-routed single page over the llmstore JSON API (/api/v1/).
// Vanilla JS, no dependencies. Every value from the API is inserted as text, never HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";

// h builds an element: h("td", {class: "num"}, "12"). Children may be strings, nodes,
// arrays or null. Function-valued attributes starting with "on" become listeners.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// ---- formatting ----
const fmt = {
  int: (n) => (n || 0).toLocaleString("en-US"),
  usd: (n) => {
    n = n || 0;
    if (n === 0) return "$0";
    if (n < 0.01) return "$" + n.toFixed(5);
    if (n < 100) return "$" + n.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
    return "$" + n.toLocaleString("en-US", { maximumFractionDigits: 2 });
  },
  ms: (n) => {
    if (n === null || n === undefined) return "–";
    if (n >= 3600e3) return Math.floor(n / 3600e3) + " h " + Math.floor((n % 3600e3) / 60e3) + " min";
    if (n >= 120e3) return Math.floor(n / 60e3) + " min " + Math.floor((n % 60e3) / 1000) + " s";
    if (n >= 10000) return (n / 1000).toFixed(1) + " s";
    if (n >= 1000) return (n / 1000).toFixed(2) + " s";
    return (n < 10 ? n.toFixed(1) : Math.round(n)) + " ms";
  },
  pct: (r) => ((r || 0) * 100).toFixed(r && r < 0.01 ? 2 : 1) + "%",
  time: (t) => new Date(t).toLocaleString(),
  clock: (t) => new Date(t).toLocaleTimeString(),
  bytes: (b) => {
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return b.toFixed(i ? 1 : 0) + " " + u[i];
  },
  num: (v) => Number(v).toLocaleString("en-US", { maximumSignificantDigits: 4 }),
  score: (v) => (v === null || v === undefined ? "–" : v.toFixed(2)),
  short: (id) => (id || "").slice(0, 8) + "…",
};

// ---- API ----
class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// request fetches an API path and decodes the JSON answer; a non-2xx status throws.
async function request(path, init) {
  const resp = await fetch("api/v1/" + path, init);
  let body = null;
  try { body = await resp.json(); } catch (_) { /* not JSON */ }
  if (!resp.ok) throw new APIError(resp.status, (body && body.error) || resp.status + " " + resp.statusText);
  return body;
}

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== "" && v !== undefined && v !== null && v !== false) q.set(k, v);
  return request(path + (q.toString() ? "?" + q : ""), { headers: { Accept: "application/json" } });
}

// send calls a write endpoint with a JSON body.
function send(method, path, body) {
  return request(path, { method, headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
}

function windowParam() { return document.getElementById("window").value; }

// ---- charts ----
// lineChart draws series [{name, color, values[]}] over bucket times as an inline SVG.
function lineChart(times, series, opts) {
  const W = 560, H = 170, L = 66, R = 10, T = 10, B = 24;
  const max = niceCeil(Math.max(0, ...series.flatMap((x) => x.values.filter((v) => v !== null))));
  const n = Math.max(times.length - 1, 1);
  const x = (i) => L + (i / n) * (W - L - R);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": opts.title });
  for (let k = 0; k <= 2; k++) {
    const v = (max * k) / 2;
    svg.append(s("line", { class: "axis", x1: L, x2: W - R, y1: y(v), y2: y(v) }),
      s("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, opts.format(v)));
  }
  const ticks = Math.min(6, times.length);
  for (let k = 0; k < ticks; k++) {
    const i = Math.round((k / Math.max(ticks - 1, 1)) * (times.length - 1));
    svg.append(s("text", { x: x(i), y: H - 6, "text-anchor": "middle" }, fmt.clock(times[i])));
  }
  for (const ser of series) {
    if (opts.bars) {
      const bw = Math.max(1, (W - L - R) / times.length - 1);
      ser.values.forEach((v, i) => {
        if (v) svg.append(s("rect", { x: x(i) - bw / 2, y: y(v), width: bw, height: H - B - y(v), fill: ser.color }));
      });
    } else {
      // Buckets without calls have no latency: the line breaks there instead of dropping to 0.
      let d = "", pen = "M";
      ser.values.forEach((v, i) => {
        if (v === null) { pen = "M"; return; }
        d += pen + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
        pen = "L";
      });
      if (ser.values.filter((v) => v !== null).length === 1) {
        const i = ser.values.findIndex((v) => v !== null);
        svg.append(s("circle", { cx: x(i), cy: y(ser.values[i]), r: 3, fill: ser.color }));
      }
      svg.append(s("path", { d, fill: "none", stroke: ser.color, "stroke-width": 2 }));
    }
  }
  return h("div", { class: "panel" },
    h("div", { class: "chart-title" }, h("h2", {}, opts.title),
      h("div", { class: "legend" }, series.map((ser) => h("span", {}, colorKey(ser.color), ser.name)))),
    svg);
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, so axis labels are round numbers.
function niceCeil(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p * (1 + 1e-9)) return m * p;
  return 10 * p;
}

function plural(n, word) { return fmt.int(n) + " " + word + (n === 1 ? "" : "s"); }

function colorKey(color) {
  const i = h("i");
  i.style.background = color;
  return i;
}

// ---- views ----
const views = {};

function card(label, value, sub) {
  return h("div", { class: "card" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value),
    sub ? h("div", { class: "sub" }, sub) : null);
}

// scoreBadge shows an evaluation score (0 bad … 1 good) coloured by how good it is.
function scoreBadge(score, text, title) {
  const cls = score === null || score === undefined ? "" : score < 0.5 ? "err" : score < 0.8 ? "warn" : "ok";
  return h("span", { class: "badge score " + cls, title: title || null }, text !== undefined ? text : fmt.score(score));
}

function groupTable(title, groups, withQuality) {
  return h("div", { class: withQuality ? "panel wide" : "panel" }, h("h2", {}, title),
    groups.length === 0 ? h("p", { class: "muted" }, "No calls in this window.") :
      h("table", {},
        h("tr", {}, h("th", {}, "Name"), h("th", { class: "num" }, "Requests"), h("th", { class: "num" }, "Errors"),
          h("th", { class: "num" }, "p95"), h("th", { class: "num" }, "Tokens"), h("th", { class: "num" }, "Cost"),
          withQuality ? h("th", { class: "num" }, "Quality") : null),
        groups.map((g) => h("tr", { "data-key": g.key }, h("td", {}, g.key || "(none)"), h("td", { class: "num" }, fmt.int(g.requests)),
          h("td", { class: "num" }, g.errors ? h("span", { class: "badge err" }, fmt.int(g.errors)) : "0"),
          h("td", { class: "num" }, fmt.ms(g.latency.p95_ms)),
          h("td", { class: "num" }, fmt.int(g.input_tokens + g.output_tokens)),
          h("td", { class: "num" }, fmt.usd(g.cost_usd)),
          withQuality ? h("td", { class: "num quality" }, g.quality === undefined ? "–" :
            scoreBadge(g.quality, undefined, plural(g.quality_scores, "quality score") + ", " + plural(g.evaluations, "evaluation"))) : null))));
}

views.dashboard = async function () {
  const [o, st] = await Promise.all([api("overview", { window: windowParam() }), api("status")]);
  const alerts = await alertsOrNull();
  const times = o.series.map((b) => b.time);
  const lat = (q) => o.series.map((b) => (b.requests ? b.latency[q] : null));
  const firing = alerts && alerts.filter((a) => (a.state || a.status) === "firing");
  return [
    h("h1", {}, "Dashboard"),
    h("div", { class: "cards" },
      card("Status", o.requests === 0 ? "idle" : o.error_rate > 0.05 ? "degraded" : "healthy",
        fmt.int(st.usage.rows.spans) + " spans stored"),
      card("Requests", fmt.int(o.requests), "model calls in window"),
      card("Error rate", fmt.pct(o.error_rate), plural(o.errors, "error")),
      card("Latency p50", fmt.ms(o.latency.p50_ms), "p95 " + fmt.ms(o.latency.p95_ms)),
      card("Latency p99", fmt.ms(o.latency.p99_ms)),
      card("Tokens", fmt.int(o.input_tokens + o.output_tokens), fmt.int(o.input_tokens) + " in · " + fmt.int(o.output_tokens) + " out"),
      card("Cost", fmt.usd(o.cost_usd), "USD"),
      card("Quality", o.quality === undefined ? "–" : fmt.score(o.quality), plural(o.evaluations, "evaluation")),
      card("Alerts", alerts === null ? "–" : fmt.int(firing.length), alerts === null ? "llmalert not configured" : "firing")),
    h("div", { class: "grid2" },
      lineChart(times, [{ name: "requests", color: "#2f6fde", values: o.series.map((b) => b.requests) },
        { name: "errors", color: "#d64545", values: o.series.map((b) => b.errors) }], { title: "Requests and errors", bars: true, format: (v) => fmt.int(Math.round(v)) }),
      lineChart(times, [{ name: "p50", color: "#1f9d55", values: lat("p50_ms") },
        { name: "p95", color: "#d98a00", values: lat("p95_ms") },
        { name: "p99", color: "#d64545", values: lat("p99_ms") }], { title: "Latency", format: fmt.ms }),
      lineChart(times, [{ name: "input", color: "#2f6fde", values: o.series.map((b) => b.input_tokens) },
        { name: "output", color: "#8a5cf6", values: o.series.map((b) => b.output_tokens) }], { title: "Tokens", format: (v) => fmt.int(Math.round(v)) }),
      lineChart(times, [{ name: "cost", color: "#1f9d55", values: o.series.map((b) => b.cost_usd) }], { title: "Cost (USD)", bars: true, format: fmt.usd })),
    h("div", { class: "grid2" },
      groupTable("Top models by cost", o.by_model, true), groupTable("Top users by cost", o.by_user),
      groupTable("Providers", o.by_provider), groupTable("Services", o.by_service)),
  ];
};

function filterForm(fields, values, onSubmit) {
  const form = h("form", { class: "filters" },
    fields.map(([name, label, kind, options]) => h("label", {}, label,
      kind === "select" ? h("select", { name }, options.map(([v, t]) => h("option", { value: v, selected: values[name] === v ? "" : null }, t))) :
        kind === "checkbox" ? h("input", { type: "checkbox", name, checked: values[name] === "true" ? "" : null }) :
          h("input", { name, value: values[name] || "", placeholder: kind || "", size: 14 }))),
    h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const el of form.elements) {
      if (!el.name) continue;
      const v = el.type === "checkbox" ? (el.checked ? "true" : "") : el.value.trim();
      if (v) q.set(el.name, v);
    }
    onSubmit(q);
  });
  return form;
}

views.traces = async function (_, query) {
  const values = Object.fromEntries(query);
  const list = await api("traces", { window: windowParam(), ...values });
  return [
    h("h1", {}, "Traces"),
    filterForm([["model", "Model"], ["service", "Service"], ["user", "User"], ["session", "Session"],
      ["status", "Status", "select", [["", "any"], ["ok", "ok"], ["error", "error"]]],
      ["min_duration", "Min duration", "e.g. 2s"], ["score_below", "Score below", "e.g. 0.5"], ["q", "Content contains"]], values,
      (q) => { location.hash = "#/traces?" + q; }),
    h("div", { class: "panel" }, list.traces.length === 0 ? h("p", { class: "muted" }, "No traces match in this window.") :
      h("table", { id: "trace-list" },
        h("tr", {}, h("th", {}, "Start"), h("th", {}, "Trace"), h("th", {}, "Service"), h("th", {}, "Model"),
          h("th", {}, "User"), h("th", { class: "num" }, "Spans"), h("th", { class: "num" }, "Duration"),
          h("th", { class: "num" }, "Tokens"), h("th", { class: "num" }, "Cost"), h("th", { class: "num" }, "Lowest score"),
          h("th", {}, "Status")),
        list.traces.map((t) => h("tr", { class: "link", "data-trace": t.trace_id, onclick: () => { location.hash = "#/traces/" + t.trace_id; } },
          h("td", {}, fmt.time(t.start)), h("td", {}, t.root_name), h("td", {}, t.service), h("td", {}, t.model),
          h("td", {}, t.user), h("td", { class: "num" }, t.span_count), h("td", { class: "num" }, fmt.ms(t.duration_ms)),
          h("td", { class: "num" }, fmt.int(t.input_tokens + t.output_tokens)), h("td", { class: "num" }, fmt.usd(t.cost_usd)),
          h("td", { class: "num" }, t.min_score === undefined ? "–" : scoreBadge(t.min_score)),
          h("td", {}, statusBadge(t.errors)))))),
  ];
};

function statusBadge(errors) {
  return errors ? h("span", { class: "badge err" }, errors + " error" + (errors > 1 ? "s" : "")) : h("span", { class: "badge ok" }, "ok");
}

function spanKind(sp) {
  if (sp.operation === "execute_tool") return "tool";
  if (sp.operation === "invoke_agent" || sp.operation === "create_agent" || sp.operation === "invoke_workflow") return "agent";
  return "";
}

views.trace = async function ([id]) {
  const t = await api("traces/" + encodeURIComponent(id));
  const total = Math.max(t.duration_ms, 0.001);
  const detail = h("div", { class: "panel", id: "span-detail" }, h("p", { class: "muted" }, "Select a span to see its attributes and content."));
  const rows = t.spans.map((sp) => {
    const bar = h("div", { class: "wf-bar " + (sp.error ? "err" : spanKind(sp)) });
    bar.style.left = (100 * sp.offset_ms / total) + "%";
    bar.style.width = Math.max(0.3, 100 * sp.duration_ms / total) + "%";
    const name = h("div", { class: "wf-name", title: sp.name }, sp.name, sp.error ? h("span", { class: "badge err" }, " error") : null);
    name.style.paddingLeft = (8 + sp.depth * 18) + "px";
    const scores = h("div", { class: "wf-scores" }, (sp.evaluations || []).filter((e) => e.score !== undefined)
      .map((e) => scoreBadge(e.score, e.name + " " + fmt.score(e.score), evaluationTitle(e))));
    const row = h("div", { class: "wf-row", "data-span": sp.span_id }, name, scores, h("div", { class: "wf-track" }, bar), h("div", { class: "wf-dur" }, fmt.ms(sp.duration_ms)));
    row.addEventListener("click", () => {
      for (const r of document.querySelectorAll(".wf-row.selected")) r.classList.remove("selected");
      row.classList.add("selected");
      detail.replaceChildren(...spanDetail(sp));
    });
    return row;
  });
  return [
    h("h1", {}, "Trace ", h("span", { class: "mono" }, t.trace_id)),
    h("div", { class: "cards" },
      card("Root", t.root_name, t.service), card("Duration", fmt.ms(t.duration_ms), fmt.time(t.start)),
      card("Spans", fmt.int(t.span_count), fmt.int(t.llm_calls) + " model calls"),
      card("Tokens", fmt.int(t.input_tokens + t.output_tokens), fmt.int(t.input_tokens) + " in · " + fmt.int(t.output_tokens) + " out"),
      card("Cost", fmt.usd(t.cost_usd)), card("Status", t.errors ? t.errors + " errors" : "ok"),
      t.min_score !== undefined ? card("Lowest score", fmt.score(t.min_score), "of the evaluations below") : null,
      t.session ? h("div", { class: "card" }, h("div", { class: "label" }, "Session"),
        h("div", { class: "value" }, h("a", { href: "#/sessions/" + encodeURIComponent(t.session) }, t.session)), h("div", { class: "sub" }, t.user)) : null),
    h("div", { class: "panel waterfall", id: "waterfall" }, h("h2", {}, "Waterfall"), rows),
    t.evaluations ? h("div", { class: "panel", id: "orphan-evaluations" },
      h("h2", {}, "Evaluations of spans not stored"), evaluationTable(t.evaluations)) : null,
    detail,
  ];
};

function evaluationTitle(e) {
  return [e.label, e.source ? "from " + e.source : "", e.explanation].filter(Boolean).join(" · ");
}

// evaluationTable lists a span's evaluation results: built-in, judge and user feedback.
function evaluationTable(evals) {
  return h("table", { class: "evaluations" },
    h("tr", {}, h("th", {}, "Evaluation"), h("th", { class: "num" }, "Score"), h("th", {}, "Label"), h("th", {}, "Source"),
      h("th", {}, "Explanation"), h("th", {}, "Time")),
    evals.map((e) => h("tr", {}, h("td", {}, e.name), h("td", { class: "num" }, e.score === undefined ? "–" : scoreBadge(e.score)),
      h("td", {}, e.label || ""), h("td", {}, e.source || "span"), h("td", {}, e.explanation || ""), h("td", {}, fmt.clock(e.time)))));
}

function spanDetail(sp) {
  const kv = [["Span", sp.span_id], ["Service", sp.service], ["Operation", sp.operation], ["Provider", sp.provider],
    ["Model", sp.response_model || sp.request_model], ["Agent", sp.agent], ["Tool", sp.tool], ["Start", fmt.time(sp.start)],
    ["Duration", fmt.ms(sp.duration_ms)], ["Input tokens", sp.input_tokens], ["Output tokens", sp.output_tokens],
    ["Cost", sp.cost_usd !== undefined ? fmt.usd(sp.cost_usd) : null], ["Error", sp.error_type || sp.status_message]]
    .filter(([, v]) => v !== undefined && v !== null && v !== "");
  const out = [h("h2", {}, sp.name), h("div", { class: "kv" }, kv.map(([k, v]) => [h("div", {}, k), h("div", {}, String(v))]))];
  if (sp.evaluations && sp.evaluations.length) out.push(h("h2", {}, "Evaluations"), evaluationTable(sp.evaluations));
  const content = sp.content && sp.content.attributes;
  if (content) {
    out.push(h("h2", {}, "Content"));
    for (const [k, v] of Object.entries(content)) {
      let msgs = parseJSON(v);
      if (Array.isArray(msgs) && msgs.length && msgs[0].type) msgs = [{ role: "system", parts: msgs }];
      out.push(h("div", { class: "muted" }, k), Array.isArray(msgs) && msgs.length && msgs[0].parts ?
        h("div", { class: "transcript" }, msgs.map((m) => message(m))) : h("pre", {}, typeof v === "string" ? v : JSON.stringify(v, null, 2)));
    }
  } else if (sp.operation) {
    out.push(h("p", { class: "muted" }, "No content stored (not captured, or dropped by content retention)."));
  }
  out.push(h("h2", {}, "Attributes"), h("pre", {}, JSON.stringify(sp.attributes, null, 2)));
  if (sp.events && sp.events.length) out.push(h("h2", {}, "Events"), h("pre", {}, JSON.stringify(sp.events, null, 2)));
  return out;
}

function parseJSON(v) {
  if (typeof v !== "string") return v;
  try { return JSON.parse(v); } catch (_) { return v; }
}

function jsonText(v) {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

// message renders one semconv message {role, parts[]} as a chat bubble.
function message(m, call) {
  const parts = (m.parts || []).map((p) => {
    switch (p.type) {
      case "text": return h("div", { class: "part text" }, p.content);
      case "reasoning": return h("div", { class: "part text muted" }, "(reasoning) ", p.content);
      case "tool_call": return h("div", { class: "part" }, "→ calls tool ", h("b", {}, p.name), h("pre", {}, jsonText(p.arguments)));
      case "tool_call_response": return h("div", { class: "part" }, "← tool result", h("pre", {}, jsonText(p.response)));
      default: return h("div", { class: "part muted" }, "[" + p.type + "] ", p.content || p.uri || p.mime_type || "");
    }
  });
  const failed = call && call.error;
  return h("div", { class: "msg " + m.role + (failed ? " err" : "") },
    h("div", { class: "who" }, m.role, m.name ? " · " + m.name : ""),
    parts.length ? parts : h("div", { class: "part muted" }, failed ? "No response: " + call.error : "(no content)"),
    call ? h("div", { class: "meta" }, [call.model, call.provider, fmt.ms(call.duration_ms),
      call.input_tokens !== undefined ? fmt.int(call.input_tokens) + " in / " + fmt.int(call.output_tokens || 0) + " out tokens" : null,
      call.cost_usd !== undefined ? fmt.usd(call.cost_usd) : null].filter(Boolean).join(" · ")) : null);
}

views.sessions = async function (_, query) {
  const values = Object.fromEntries(query);
  const list = await api("sessions", { window: windowParam(), ...values });
  return [
    h("h1", {}, "Sessions"),
    filterForm([["user", "User"]], values, (q) => { location.hash = "#/sessions?" + q; }),
    h("div", { class: "panel" }, list.sessions.length === 0 ? h("p", { class: "muted" }, "No sessions in this window (spans need gen_ai.conversation.id).") :
      h("table", { id: "session-list" },
        h("tr", {}, h("th", {}, "Session"), h("th", {}, "User"), h("th", {}, "Last activity"), h("th", { class: "num" }, "Traces"),
          h("th", { class: "num" }, "Model calls"), h("th", { class: "num" }, "Tokens"), h("th", { class: "num" }, "Cost"), h("th", {}, "Status")),
        list.sessions.map((x) => h("tr", { class: "link", "data-session": x.id, onclick: () => { location.hash = "#/sessions/" + encodeURIComponent(x.id); } },
          h("td", { class: "mono" }, x.id), h("td", {}, x.user), h("td", {}, fmt.time(x.end)), h("td", { class: "num" }, x.traces),
          h("td", { class: "num" }, x.llm_calls), h("td", { class: "num" }, fmt.int(x.input_tokens + x.output_tokens)),
          h("td", { class: "num" }, fmt.usd(x.cost_usd)), h("td", {}, statusBadge(x.errors)))))),
  ];
};

views.session = async function ([id]) {
  const d = await api("sessions/" + encodeURIComponent(id));
  let lastTrace = "";
  const turns = d.transcript.map((t) => {
    const link = t.trace_id !== lastTrace ? h("div", { class: "muted" }, fmt.time(t.time), " · trace ",
      h("a", { href: "#/traces/" + t.trace_id, class: "mono" }, fmt.short(t.trace_id))) : null;
    lastTrace = t.trace_id;
    if (t.tool) {
      return [link, h("div", { class: "msg toolrun" }, h("div", { class: "who" }, "tool run"),
        h("div", { class: "part" }, h("b", {}, t.tool.name), " · " + fmt.ms(t.tool.duration_ms)),
        t.tool.error ? h("span", { class: "badge err" }, t.tool.error) : null,
        h("div", { class: "part" }, "arguments", h("pre", {}, jsonText(t.tool.arguments) || "–")),
        h("div", { class: "part" }, "result", h("pre", {}, jsonText(t.tool.result) || "–")))];
    }
    return [link, message(t.message, t.call)];
  });
  return [
    h("h1", {}, "Session ", h("span", { class: "mono" }, d.id)),
    h("div", { class: "cards" }, card("User", d.user || "–"), card("Traces", d.traces), card("Model calls", d.llm_calls, plural(d.errors, "error")),
      card("Tokens", fmt.int(d.input_tokens + d.output_tokens)), card("Cost", fmt.usd(d.cost_usd)),
      card("Duration", fmt.ms((new Date(d.end) - new Date(d.start)))) ),
    d.content_dropped ? h("p", { class: "muted" }, d.content_dropped + " model calls have no stored content (not captured, or dropped by content retention).") : null,
    h("div", { class: "panel" }, h("div", { class: "transcript", id: "transcript" }, turns)),
  ];
};

const kindOrder = ["service", "workflow", "agent", "operation", "tool", "model", "provider"];
const kindColor = { service: "#e8edf7", workflow: "#efe8fd", agent: "#efe8fd", operation: "#eef1f6", tool: "#fff3d6", model: "#e3efff", provider: "#e5f6ec" };

// orderColumns orders each column's nodes by the mean row of their neighbours in the
// columns before it, then after it, twice over: fewer edges cross.
function orderColumns(columns, edges) {
  const col = {}, row = {}, adj = {};
  columns.forEach((c, ci) => c.forEach((n, ri) => { col[n.id] = ci; row[n.id] = ri; adj[n.id] = []; }));
  for (const e of edges) if (e.from in adj && e.to in adj) { adj[e.from].push(e.to); adj[e.to].push(e.from); }
  const sweep = (ci, before) => {
    const key = (n) => {
      const rows = adj[n.id].filter((m) => (before ? col[m] < ci : col[m] > ci)).map((m) => row[m]);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : row[n.id];
    };
    columns[ci] = columns[ci].map((n) => [key(n), row[n.id], n]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((k) => k[2]);
    columns[ci].forEach((n, ri) => { row[n.id] = ri; });
  };
  for (let pass = 0; pass < 2; pass++) {
    for (let ci = 1; ci < columns.length; ci++) sweep(ci, true);
    for (let ci = columns.length - 2; ci >= 0; ci--) sweep(ci, false);
  }
  return columns;
}

// bezier is one coordinate of a cubic Bézier curve at t.
function bezier(p0, p1, p2, p3, t) {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

views.dependencies = async function () {
  const d = await api("dependencies", { window: windowParam() });
  if (d.nodes.length === 0) return [h("h1", {}, "Dependencies"), h("div", { class: "panel muted" }, "No GenAI spans in this window.")];
  const columns = orderColumns(kindOrder.map((k) => d.nodes.filter((n) => n.kind === k)).filter((c) => c.length > 0), d.edges);
  const NW = 190, NH = 44, GX = 90, GY = 18, LH = 13;
  const pos = {};
  let height = 0;
  columns.forEach((c, ci) => c.forEach((n, ri) => {
    pos[n.id] = { x: 10 + ci * (NW + GX), y: 30 + ri * (NH + GY), n };
    height = Math.max(height, 30 + (ri + 1) * (NH + GY));
  }));
  const width = 20 + columns.length * (NW + GX) - GX;
  const callsOut = {};
  for (const e of d.edges) callsOut[e.from] = (callsOut[e.from] || 0) + e.calls;
  const paths = [], labels = [];
  for (const e of d.edges) {
    const a = pos[e.from], b = pos[e.to];
    if (!a || !b) continue;
    const x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2;
    const title = `${a.n.name} → ${b.n.name}: ${plural(e.calls, "call")}` + (e.errors ? ", " + plural(e.errors, "error") : "");
    let path, lx, ly;
    if (x2 <= x1) { // back to an earlier column: under the boxes
      const xa = a.x + NW / 2, xb = b.x + NW / 2, ya = a.y + NH, yb = b.y + NH;
      path = `M${xa} ${ya} C ${xa} ${ya + 40}, ${xb} ${yb + 40}, ${xb} ${yb}`;
      [lx, ly] = [(xa + xb) / 2, (ya + yb) / 2 + 30 + LH];
    } else {
      path = `M${x1} ${y1} C ${x1 + GX / 2} ${y1}, ${x2 - GX / 2} ${y2}, ${x2} ${y2}`;
      // In the gap before the target, on the curve: no node box is there.
      lx = x2 - GX / 2;
      let lo = 0, hi = 1;
      for (let i = 0; i < 24; i++) {
        const t = (lo + hi) / 2;
        if (bezier(x1, x1 + GX / 2, x2 - GX / 2, x2, t) < lx) lo = t; else hi = t;
      }
      ly = bezier(y1, y1, y2, y2, (lo + hi) / 2) - 4;
    }
    paths.push(s("path", { class: "edge" + (e.errors ? " err" : ""), d: path, "stroke-width": Math.min(6, 1 + Math.log2(e.calls)) }, s("title", {}, title)));
    labels.push({ lx, ly, title, text: e.calls + (e.errors ? " (" + e.errors + " err)" : "") });
  }
  // Labels in one gap, top to bottom, at least a line apart.
  labels.sort((p, q) => p.lx - q.lx || p.ly - q.ly);
  labels.forEach((l, i) => {
    const prev = labels[i - 1];
    if (prev && prev.lx === l.lx && l.ly < prev.ly + LH) l.ly = prev.ly + LH;
    height = Math.max(height, l.ly + 6);
  });
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "dependency graph" });
  columns.forEach((c, ci) => svg.append(s("text", { x: 10 + ci * (NW + GX), y: 16 }, c[0].kind + "s")));
  svg.append(...paths);
  for (const { x, y, n } of Object.values(pos)) {
    svg.append(s("g", { "data-node": n.id },
      s("rect", { x, y, width: NW, height: NH, rx: 8, fill: kindColor[n.kind] || "#eee", stroke: n.errors ? "#d64545" : "#c8cdd8" }),
      s("text", { x: x + 10, y: y + 18 }, n.name.length > 26 ? n.name.slice(0, 25) + "…" : n.name),
      s("text", { x: x + 10, y: y + 34, class: "elabel" }, n.kind === "service" ? plural(callsOut[n.id] || 0, "call") + " out" :
        plural(n.calls, "call") + (n.errors ? " · " + plural(n.errors, "error") : ""))));
  }
  for (const l of labels) svg.append(s("text", { class: "elabel ecount", x: l.lx, y: l.ly, "text-anchor": "middle" }, l.text, s("title", {}, l.title)));
  return [h("h1", {}, "Dependencies"), h("div", { class: "panel graph" }, svg)];
};

views.logs = async function (_, query) {
  const values = Object.fromEntries(query);
  const list = await api("logs", { window: windowParam(), ...values });
  return [
    h("h1", {}, "Logs"),
    filterForm([["service", "Service"], ["q", "Text"], ["severity", "Min severity", "select", [["", "any"], ["info", "info"], ["warn", "warn"], ["error", "error"]]],
      ["errors", "Errors only", "checkbox"]], values, (q) => { location.hash = "#/logs?" + q; }),
    h("div", { class: "panel" }, list.logs.length === 0 ? h("p", { class: "muted" }, "No log records match in this window.") :
      h("table", { id: "log-list" },
        h("tr", {}, h("th", {}, "Time"), h("th", {}, "Severity"), h("th", {}, "Service"), h("th", {}, "Body"), h("th", {}, "Trace")),
        list.logs.map((l) => h("tr", {}, h("td", {}, fmt.time(l.time)),
          h("td", {}, h("span", { class: "badge" + (l.error ? " err" : "") }, l.severity_text || l.severity_number)),
          h("td", {}, l.service), h("td", {}, l.event_name ? h("b", {}, l.event_name + " ") : null, l.body),
          h("td", {}, l.trace_id ? h("a", { href: "#/traces/" + l.trace_id, class: "mono" }, fmt.short(l.trace_id)) : ""))))),
  ];
};

// alertsOrNull returns the llmalert alerts, or null when the llmalert API is not mounted.
async function alertsOrNull() {
  try {
    const r = await api("alerts");
    return Array.isArray(r) ? r : r.alerts || [];
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

// Who acts from the UI; the API records it on acknowledgements and silences.
const UI_ACTOR = "web UI";

// act runs an API write, then redraws the page, or shows why it failed in #alerts-msg.
async function act(f) {
  try {
    await f();
    await render();
  } catch (e) {
    const msg = document.getElementById("alerts-msg");
    if (msg) msg.replaceChildren(h("div", { class: "error" }, e.message));
  }
}

function labelChips(labels) {
  return Object.entries(labels || {}).sort().map(([k, v]) => h("span", { class: "badge mono" }, k + "=" + v));
}

function alertStateBadges(a) {
  return [h("span", { class: "badge" + (a.state === "firing" ? " err" : a.state === "resolved" ? " ok" : "") }, a.state),
    a.ack ? h("span", { class: "badge ack", title: a.ack.comment || "" }, "acknowledged by " + a.ack.by) : null,
    a.silenced ? h("span", { class: "badge" }, "silenced") : null,
    a.inhibited ? h("span", { class: "badge" }, "inhibited") : null];
}

// silenceForm asks for a duration and a comment; the matchers are the alert's labels.
function silenceForm(a) {
  const dur = h("select", { name: "duration" }, [["1h", 1], ["2h", 2], ["4h", 4], ["8h", 8], ["24h", 24], ["7d", 168]]
    .map(([label, hours]) => h("option", { value: hours }, label)));
  const comment = h("input", { name: "comment", placeholder: "why (required)", size: 40, required: "" });
  return h("form", { class: "filters silence-form", onsubmit: (ev) => {
    ev.preventDefault();
    const now = Date.now();
    act(() => send("POST", "silences", {
      matchers: Object.entries(a.labels || {}).map(([name, value]) => ({ name, value, isRegex: false })),
      startsAt: new Date(now).toISOString(), endsAt: new Date(now + Number(dur.value) * 3600e3).toISOString(),
      createdBy: UI_ACTOR, comment: comment.value,
    }));
  } }, h("label", {}, "Silence for", dur), h("label", {}, "Comment", comment), h("button", { type: "submit" }, "Create silence"));
}

function alertRow(a) {
  const open = a.state !== "resolved";
  const actions = h("td", {},
    open && !a.ack ? h("button", { class: "ack", onclick: () => act(() => send("POST", "alerts/" + encodeURIComponent(a.id) + "/ack", { by: UI_ACTOR })) }, "Acknowledge") : null,
    open ? h("button", { class: "silence", onclick: (ev) => {
      const row = ev.target.closest("tr");
      if (row.nextSibling && row.nextSibling.classList.contains("silence-row")) { row.nextSibling.remove(); return; }
      row.after(h("tr", { class: "silence-row" }, h("td", { colspan: 7 }, silenceForm(a))));
    } }, "Silence") : null);
  return h("tr", { "data-alert": a.id },
    h("td", {}, a.name), h("td", {}, alertStateBadges(a)), h("td", {}, (a.labels || {}).severity || ""),
    h("td", {}, labelChips(a.labels)), h("td", { class: "num" }, fmt.num(a.value)),
    h("td", {}, fmt.time(a.firedAt || a.activeAt)), actions);
}

function silenceRow(sl) {
  const state = (sl.status && sl.status.state) || "";
  return h("tr", { "data-silence": sl.id },
    h("td", {}, h("span", { class: "badge" + (state === "active" ? " ok" : "") }, state)),
    h("td", {}, sl.matchers.map((m) => h("span", { class: "badge mono" }, m.name + (m.isRegex ? "=~" : "=") + m.value))),
    h("td", {}, fmt.time(sl.startsAt)), h("td", {}, fmt.time(sl.endsAt)), h("td", {}, sl.createdBy), h("td", {}, sl.comment),
    h("td", {}, state !== "expired" ? h("button", { class: "expire", onclick: () => act(() => send("DELETE", "silences/" + encodeURIComponent(sl.id))) }, "Expire") : null));
}

views.alerts = async function () {
  const alerts = await alertsOrNull();
  if (alerts === null) {
    return [h("h1", {}, "Alerts"), h("div", { class: "panel", id: "alerts-absent" },
      h("p", {}, "Alerts come from the llmalert exporter, which is not configured in this collector."),
      h("p", { class: "muted" }, "Add an llmalert exporter to a metrics pipeline to evaluate alert rules; its alerts then show here."))];
  }
  const [silences, rules] = await Promise.all([api("silences"), api("rules")]);
  return [h("h1", {}, "Alerts"), h("div", { id: "alerts-msg" }),
    h("div", { class: "panel" }, alerts.length === 0 ? h("p", { class: "muted" }, "No alerts.") :
      h("table", { id: "alert-list" }, h("tr", {}, ["Alert", "State", "Severity", "Labels", "Value", "Since", ""].map((t) => h("th", {}, t))),
        alerts.map(alertRow))),
    h("div", { class: "panel" }, h("h2", {}, "Silences"), silences.length === 0 ? h("p", { class: "muted" }, "No silences.") :
      h("table", { id: "silence-list" }, h("tr", {}, ["State", "Matchers", "Starts", "Ends", "By", "Comment", ""].map((t) => h("th", {}, t))),
        silences.map(silenceRow))),
    // What is watched: with no alert, the rules say why the page is empty.
    h("div", { class: "panel" }, h("h2", {}, "Rules"), (rules || []).length === 0 ? h("p", { class: "muted" }, "No rules.") :
      h("table", { id: "rule-list" }, h("tr", {}, ["Rule", "Kind", "Severity", "Health", "Active", "Expression"].map((t) => h("th", {}, t))),
        rules.map(ruleRow)))];
};

function ruleRow(r) {
  const health = r.health || "unknown";
  return h("tr", { "data-rule": r.name },
    h("td", {}, r.name), h("td", {}, r.kind), h("td", {}, r.severity || ""),
    h("td", {}, h("span", { class: "badge" + (health === "ok" ? " ok" : health === "err" ? " err" : ""), title: r.lastError || "" }, health)),
    h("td", { class: "num" }, String(r.active || 0)), h("td", { class: "mono" }, r.expr));
}

// ---- router ----
const routes = [
  [/^#?\/?$/, "dashboard"], [/^#\/traces$/, "traces"], [/^#\/traces\/([0-9a-f]{32})$/, "trace"],
  [/^#\/sessions$/, "sessions"], [/^#\/sessions\/(.+)$/, "session"], [/^#\/dependencies$/, "dependencies"],
  [/^#\/logs$/, "logs"], [/^#\/alerts$/, "alerts"],
];

let renderSeq = 0;

// render shows the view of the current hash. When it is on screen, #main's data-route is
// that hash: a test (or a user's script) that changes the hash waits for it, not for an
// element the previous view may also have had.
async function render() {
  const hash = location.hash;
  const [path, qs] = hash.split("?");
  const query = new URLSearchParams(qs || "");
  const main = document.getElementById("main");
  const seq = ++renderSeq;
  for (const [re, name] of routes) {
    const m = path.match(re);
    if (!m) continue;
    const section = name.replace(/^(trace|session)$/, "$1s");
    for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.view === section);
    let content;
    try {
      content = await views[name](m.slice(1).map(decodeURIComponent), query);
    } catch (e) {
      content = h("div", { class: "error" }, e instanceof APIError ? e.message : "Cannot reach the llmstore API: " + e.message);
    }
    if (seq !== renderSeq) return; // a later render owns #main
    main.replaceChildren(...[content].flat().filter(Boolean));
    main.dataset.view = name;
    main.dataset.route = hash;
    return;
  }
  main.replaceChildren(h("div", { class: "error" }, "No such page: " + hash));
  main.dataset.route = hash;
}

async function footer() {
  try {
    const st = await api("status");
    const r = st.retention;
    document.getElementById("footer").textContent = `store ${fmt.bytes(st.usage.file_bytes)}` +
      (st.max_size_bytes ? ` of ${fmt.bytes(st.max_size_bytes)}` : "") +
      ` · retention traces ${r.traces}, logs ${r.logs}, metrics ${r.metrics}, alerts ${r.alerts}, content ${r.content}` +
      (st.version ? ` · otelcol-llm ${st.version}` : "");
  } catch (_) { /* the main view shows the error */ }
}

window.addEventListener("hashchange", render);
document.addEventListener("DOMContentLoaded", () => {
  const sel = document.getElementById("window");
  const saved = sessionStorage.getItem("window");
  if (saved) sel.value = saved;
  sel.addEventListener("change", () => { sessionStorage.setItem("window", sel.value); render(); });
  render();
  footer();
});
