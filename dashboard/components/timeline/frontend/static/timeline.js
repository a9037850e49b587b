// The Slate timeline: vis-timeline as a Streamlit component (components.v1, its message protocol
// spoken directly: no framework). Python sends items, groups and options in the render message's
// args (dashboard/components/timeline/__init__.py says what each holds); a phase (or, with
// whole_productions, a whole production) dragged to another week comes back, once, on drop:
// {production_id, phase_id (null for a whole production), new_start: "YYYY-MM-DD" (a Monday), drop}.
// User text (titles, names) is only ever set as text, never as HTML.
(function () {
  "use strict";

  const DAY = 86400000;
  const container = document.getElementById("timeline");
  const items = new vis.DataSet();
  const groups = new vis.DataSet();
  let timeline = null;
  let args = null;
  let sentHeight = 0;
  let dropping = false;   // a whole production's drop calls onMove once per phase: send it once

  function send(type, fields) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, fields), "*");
  }

  function utc(iso) {
    return Date.parse(iso + "T00:00:00Z");
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  // The Monday (00:00 UTC) nearest to ms: day 0 (1 Jan 1970) was a Thursday, so Mondays are days 4 + 7k.
  function monday(ms) {
    return (Math.round((ms / DAY - 4) / 7) * 7 + 4) * DAY;
  }

  function text(tag, value, className, tip) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    if (tip) el.title = tip;
    return el;
  }

  function draggable(item) {
    return Boolean(args && args.editable && (args.whole_productions ? item.production_draggable : item.phase_draggable));
  }

  function toItems(a) {
    const out = a.items.map(function (it) {
      const classes = ["phase", "kind-" + it.kind];
      if (it.locked) classes.push("locked");
      if (it.moved) classes.push("moved");
      return Object.assign({}, it, {
        content: "", item_start: it.start, start: utc(it.start), end: utc(it.end), type: "range",
        className: classes.join(" "),
        editable: { updateTime: draggable(it), updateGroup: false, remove: false },
      });
    });
    a.backgrounds.forEach(function (b) {
      const bg = { id: b.id, content: "", tip: b.label, start: utc(b.start), end: utc(b.end), type: "background",
                   className: b.cls };
      if (b.group !== null) bg.group = b.group;
      out.push(bg);
    });
    // A target delivery: a diamond on a one-day background item (drawn behind the bars, never stacked).
    a.markers.forEach(function (m) {
      out.push({ id: m.id, group: m.group, content: "", label: "◆", tip: m.tip, start: utc(m.date),
                 end: utc(m.date) + DAY, type: "background", className: m.late ? "target late" : "target" });
    });
    return out;
  }

  function onMove(item, callback) {
    callback(item);                                    // stays where dropped until Python draws the plan again
    if (dropping) return;
    dropping = true;
    setTimeout(function () { dropping = false; }, 0);
    const shift = monday(item.start.valueOf()) - utc(item.item_start);
    const whole = Boolean(args.whole_productions);
    const anchor = whole ? item.production_start : item.phase_start;
    if (!shift) return;
    send("streamlit:setComponentValue", {
      dataType: "json",
      value: { production_id: item.production_id, phase_id: whole ? null : item.phase_id,
               new_start: isoDay(utc(anchor) + shift), drop: Date.now() + "-" + Math.random().toString(36).slice(2) },
    });
  }

  // With whole_productions, pressing a phase selects every phase of its production, so they drag together.
  function selectProduction(event) {
    if (!args || !args.whole_productions || !timeline) return;
    const id = timeline.getEventProperties(event).item;
    const pressed = id === null ? null : items.get(id);
    if (!pressed || !pressed.production_id || !draggable(pressed)) return;
    timeline.setSelection(items.getIds({ filter: function (it) { return it.production_id === pressed.production_id; } }));
  }

  function create(a) {
    const options = {
      editable: a.editable ? { updateTime: true, updateGroup: false, add: false, remove: false, overrideItems: false }
                           : false,
      itemsAlwaysDraggable: { item: true, range: false },
      selectable: true,
      multiselect: false,
      snap: function (date) { return monday(date.valueOf()); },
      moment: function (date) { return vis.moment(date).utc(); },
      onMove: onMove,
      orientation: { axis: "top", item: "top" },
      stack: true,
      margin: { item: { horizontal: 0, vertical: 3 }, axis: 4 },
      groupOrder: "order",
      dataAttributes: ["id"],                          // data-id="P05/shoot": a handle for tests
      verticalScroll: true,
      maxHeight: a.height,
      zoomKey: "ctrlKey",
      showCurrentTime: true,
      tooltipOnItemUpdateTime: { template: function (it) { return "week of " + isoDay(monday(it.start.valueOf())); } },
      template: function (it) { return text("span", it.label || "", "label", it.tip); },
      groupTemplate: function (g) { return text("span", g.label || "", "group-label", g.tip); },
    };
    timeline = new vis.Timeline(container, items, groups, options);
    // The first window is set after vis-timeline's first draw (which fits every item): with start and
    // end in the options instead, it keeps itself hidden until a second redraw.
    let windowSet = false;
    timeline.on("changed", function () {
      if (!windowSet) {
        windowSet = true;
        timeline.setWindow(utc(a.window.start), utc(a.window.end), { animation: false });
      }
      fitFrame();
    });
    container.addEventListener("pointerdown", selectProduction, true);
  }

  function fitFrame() {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height) + 4;
    if (height !== sentHeight) {
      sentHeight = height;
      send("streamlit:setFrameHeight", { height: height });
    }
  }

  function render(a) {
    const first = args === null;
    args = a;
    groups.clear();
    groups.add(a.groups.map(function (g) { return { id: g.id, content: "", label: g.label, tip: g.tip, order: g.order }; }));
    items.clear();
    items.add(toItems(a));
    if (first) {
      create(a);
    } else {
      timeline.setSelection([]);
      timeline.setOptions({
        editable: a.editable ? { updateTime: true, updateGroup: false, add: false, remove: false, overrideItems: false }
                             : false,
        maxHeight: a.height,
      });
    }
    document.body.classList.toggle("read-only", !a.editable);
    fitFrame();
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "streamlit:render") return;
    render(event.data.args);
  });
  send("streamlit:componentReady", { apiVersion: 1 });
})();
