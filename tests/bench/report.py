#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of `make bench`: raw.txt from the guest -> table, JSON, plots.

usage: report.py [--check] DIR          (DIR/raw.txt in, DIR/results.json, DIR/*.png out)
       report.py [--check] --demo DIR   (make demo: the comparison and DIR/demo.png)

--check (make check): fail unless raw.txt holds every number the report prints.

The guest (tests/bench/bench.sh) writes "name value" lines. This prints the
results table, writes results.json (the same numbers, nested by name) and
draws the plots with matplotlib (python3-matplotlib, installed by
tests/qemu/setup.sh). Nothing here judges the numbers: the goals of issue 6
are printed next to them, met or not.
"""

import json
import os
import sys

MODES = [("cpu", "CPU path"), ("sw", "sw flowtable"), ("hw", "engine offload")]


def load(path):
    raw = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split(None, 1)
            if len(parts) != 2:
                continue
            key, val = parts[0], parts[1].strip()
            try:
                num = float(val)
                raw[key] = int(num) if num.is_integer() and "." not in val else num
            except ValueError:
                raw[key] = val
    return raw


def nest(raw):
    out = {}
    for key, val in sorted(raw.items()):
        node = out
        parts = key.split(".")
        for p in parts[:-1]:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                nxt = node[p] = {"value": nxt}
            node = nxt
        if isinstance(node.get(parts[-1]), dict):
            node[parts[-1]]["value"] = val
        else:
            node[parts[-1]] = val
    return out


def fmt(v, digits=0):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(v, base, inverse=False):
    if v is None or not base:
        return ""
    if inverse:
        return f" ({v / base:.2f}x)" if base else ""
    return f" ({v / base:.2f}x)"


CTRL_OPS = ("replace", "stats", "destroy")


def median(vals):
    v = sorted(vals)
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


def ctrl_summary(r):
    """Per rule kind, level and op: median of the repetitions' p50 and p99,
    and the spread of the p50s."""
    reps, rules, levels = r.get("ctrl.reps"), r.get("ctrl.rules"), r.get("ctrl.levels")
    if not isinstance(reps, int) or reps < 1 or rules is None or levels is None:
        return None
    rules = str(rules).split()
    levels = sorted(int(x) for x in str(levels).split())
    out = {"reps": reps, "rules": rules, "levels": levels}
    for kind in rules:
        out[kind] = {}
        for lv in levels:
            out[kind][lv] = {}
            for op in CTRL_OPS:
                p50 = [r.get(f"ctrl.{kind}.{lv}.r{i}.{op}.p50_ns") for i in range(1, reps + 1)]
                p99 = [r.get(f"ctrl.{kind}.{lv}.r{i}.{op}.p99_ns") for i in range(1, reps + 1)]
                if any(not isinstance(x, (int, float)) for x in p50 + p99):
                    return None
                out[kind][lv][op] = {"p50": median(p50), "p99": median(p99),
                                     "p50_min": min(p50), "p50_max": max(p50)}
            moves = [r.get(f"ctrl.{kind}.{lv}.r{i}.moves") for i in range(1, reps + 1)]
            if any(not isinstance(x, int) for x in moves):
                return None
            out[kind][lv]["moves"] = sum(moves) / (reps * (r.get("ctrl.samples") or 1))
    return out


def mt_summary(r):
    out = {}
    for design in ("old", "new"):
        c1, c3 = r.get(f"ctrlmt.{design}.c1.per_sec"), r.get(f"ctrlmt.{design}.c3.per_sec")
        if not isinstance(c1, (int, float)) or not isinstance(c3, (int, float)) or not c1:
            return None
        out[design] = {"c1": c1, "c3": c3, "ratio": c3 / c1,
                       "timeouts": r.get(f"ctrlmt.{design}.cache_timeouts")}
    return out


def datapath_rows(r):
    rows = []

    def row(label, key, digits=0, show_ratio=True):
        vals = [r.get(f"{proto}.{m}.{key}") for m, _ in MODES]
        base = vals[0]
        cells = []
        for i, v in enumerate(vals):
            cell = fmt(v, digits)
            if show_ratio and i and isinstance(v, (int, float)) and base:
                cell += ratio(v, base)
            cells.append(cell)
        rows.append((label, cells))

    proto = "udp"
    row("UDP forwarded packets/s", "pps")
    row("UDP Mbit/s (64-byte frames)", "mbps", 3)
    row("UDP packets/flow to CPU, after binding", "to_cpu_per_flow", 2, False)
    row("UDP packets/flow to CPU, first 8/flow", "setup.to_cpu_per_flow", 2, False)
    row("UDP packets/flow in nft forward chain", "slowpath_per_flow", 2, False)
    row("UDP router NET_RX ms, measured run", "router_cpu_ms", 1)
    row("UDP router NET_RX ms per Mpkt", "router_cpu_ms_per_mpkt")
    proto = "tcp"
    row("TCP forwarded packets/s (data+ACK)", "pps_both")
    row("TCP Mbit/s (lan -> wan, L2)", "mbps", 2)
    row("TCP packets/flow to CPU", "to_cpu_per_flow", 1, False)
    row("TCP router NET_RX ms, whole run", "router_cpu_ms", 1)
    row("TCP router NET_RX ms per Mpkt", "router_cpu_ms_per_mpkt")
    return rows


def fill_summary(r):
    """The occupancy fills fill.1 .. fill.N: per run and median, in % of the table."""
    runs = sorted(int(k.split(".")[1]) for k in r
                  if k.startswith("fill.") and k.endswith(".installed") and k.count(".") == 2)
    if not runs:
        return None
    out = {"n": r[f"fill.{runs[0]}.entries"], "ways": r.get(f"fill.{runs[0]}.ways"),
           "runs": len(runs)}
    for key in ("installed", "twochoice", "single"):
        out[key + "_runs"] = [100 * r[f"fill.{i}.{key}"] / r[f"fill.{i}.entries"] for i in runs]
        out[key] = median(out[key + "_runs"])
    out["relocations"] = median([r.get(f"fill.{i}.relocations", 0) for i in runs])
    return out


def table(r):
    lines = []
    add = lines.append
    debug = r.get("meta.kernel_debug", "?")
    build = ("production-like build, no debugging options" if debug == "none"
             else "test kernel with %s" % debug)
    add("openppe bench: %s .. %s, kernel %s (%s), %s vCPUs (QEMU TCG)"
        % (r.get("meta.start", "?"), r.get("meta.end", "?"), r.get("meta.kernel", "?"),
           build, r.get("meta.cpus", "?")))
    add("Absolute rates are the emulator's on a shared, emulated CPU; compare modes.")
    add("Router CPU = time CPU 1 spent in NET_RX softirqs (all router traffic is steered there).")
    add("")
    add("Datapath: lan1 -> wan through the board's router (NAPT), %s UDP flows x %s packets"
        % (r.get("meta.udp_flows", "?"), r.get("meta.udp_packets", "?")))
    add("after an 8-packet/flow warm-up; TCP: one iperf3 connection, %ss. (ratio vs CPU path)"
        % r.get("meta.tcp_seconds", "?"))
    w0 = 42
    w = 22
    add("  " + "".ljust(w0) + "".join(name.rjust(w) for _, name in MODES))
    for label, cells in datapath_rows(r):
        add("  " + label.ljust(w0) + "".join(c.rjust(w) for c in cells))
    add("")

    add("Control plane")
    if "burst.flows" in r:
        if not isinstance(r.get("burst.flows_per_sec"), (int, float)) and r.get("burst.secs"):
            r["burst.flows_per_sec"] = r["burst.offloaded"] / r["burst.secs"]
        if (not isinstance(r.get("burst.driver_per_sec"), (int, float))
                and isinstance(r.get("burst.driver_secs"), (int, float)) and r["burst.driver_secs"]):
            r["burst.driver_per_sec"] = r["burst.driver_replaces"] / r["burst.driver_secs"]
        add("  burst: %s new UDP flows offloaded in %s s end to end = %s flows/s"
            % (fmt(r.get("burst.offloaded")), fmt(r.get("burst.secs"), 2),
               fmt(r.get("burst.flows_per_sec"))))
        add("         (sending the 2 packets/flow took %s s); driver REPLACEs: %s in %s s = %s/s"
            % (fmt(r.get("burst.send_secs"), 2), fmt(r.get("burst.driver_replaces")),
               fmt(r.get("burst.driver_secs"), 3), fmt(r.get("burst.driver_per_sec"))))
        hw, sw = r.get("burst.ct_secs"), r.get("burst.sw.secs")
        if isinstance(hw, (int, float)) and isinstance(sw, (int, float)) and sw > 0:
            add("         until all [HW_OFFLOAD] in conntrack: %s s; the same burst into the"
                " software flowtable, all [OFFLOAD]: %s s" % (fmt(hw, 2), fmt(sw, 2)))
            add("         goal: HW / SW <= 1.5: %.2f -> %s" % (hw / sw, "met" if hw / sw <= 1.5
                                                           else "MISSED"))
    cs = ctrl_summary(r)
    if cs:
        add("  driver cost per call, us: median over %d repetitions of each one's p50 / p99"
            " (%s samples each), [min-max of the p50s]; table of %s entries;"
            " moves/REPLACE: entries relocated per timed REPLACE"
            % (cs["reps"], fmt(r.get("ctrl.samples")), fmt(r.get("ctrl.table_size"))))
        for kind in cs["rules"]:
            add("  %s rules:" % kind)
            add("  " + "installed".rjust(12) + "".join(op.upper().rjust(30) for op in CTRL_OPS)
                + "moves/REPLACE".rjust(15))
            for lv in cs["levels"]:
                cells = []
                for op in CTRL_OPS:
                    c = cs[kind][lv][op]
                    cells.append("%.1f / %.1f [%.1f-%.1f]" % (c["p50"] / 1000, c["p99"] / 1000,
                                                              c["p50_min"] / 1000,
                                                              c["p50_max"] / 1000))
                add("  " + fmt(lv).rjust(12) + "".join(x.rjust(30) for x in cells)
                    + ("%.2f" % cs[kind][lv]["moves"]).rjust(15))
            first, last = cs["levels"][0], cs["levels"][-1]
            for op in CTRL_OPS:
                g = cs[kind][last][op]["p50"] / cs[kind][first][op]["p50"]
                add("    goal: %s p50 at %s within 1.3x of %s entries: %.2fx -> %s"
                    % (op.upper(), fmt(last), fmt(first), g, "met" if g <= 1.3 else "MISSED"))
    mt = mt_summary(r)
    if mt:
        add("  REPLACE throughput, concurrent callers (kernel threads), cache commands taking"
            " %s us each (emulator), %s REPLACEs per caller:" % (fmt(r.get("ctrlmt.latency_us")),
                                                              fmt(r.get("ctrlmt.flows_per_caller"))))
        add("  " + "engine".ljust(34) + "1 caller /s".rjust(14) + "3 callers /s".rjust(14)
            + "3 / 1".rjust(8) + "cache timeouts".rjust(16))
        for design, label in (("old", "old: one command register"),
                              ("new", "new: %s command slots" % fmt(r.get("ctrlmt.new_slots")))):
            m = mt[design]
            add("  " + label.ljust(34) + fmt(m["c1"]).rjust(14) + fmt(m["c3"]).rjust(14)
                + ("%.2fx" % m["ratio"]).rjust(8) + fmt(m["timeouts"]).rjust(16))
        # a command that timed out disabled the engine, and the commands
        # after it were skipped: such a run measures nothing
        ok = mt["new"]["ratio"] >= 2 and not mt["new"]["timeouts"] and not mt["old"]["timeouts"]
        add("    goal: 3 callers >= 2x one caller (new design), no cache timeout: %.2fx -> %s"
            % (mt["new"]["ratio"], "met" if ok else "MISSED"))
    add("")

    fs = fill_summary(r)
    if fs:
        add("Occupancy: %s-entry table, %s ways/bucket, random keys until the first refusal;"
            " median of %d fills (new seeds and keys each)" % (fmt(fs["n"]), fs["ways"], fs["runs"]))
        for label, key in (("openppe: two buckets + relocation (driver)", "installed"),
                           ("two buckets, no relocation (model)", "twochoice"),
                           ("single hash, one bucket (MediaTek-style model)", "single")):
            add("  %-50s %6.2f %%  (runs: %s)" % (label, fs[key], ", ".join(
                "%.2f" % v for v in fs[key + "_runs"])))
        add("  relocations per fill (median): %s; goal >= 98 %% (median): %s"
            % (fmt(fs["relocations"]), "met" if fs["installed"] >= 98 else "MISSED"))
        add("")

    if "mem.slab_bytes_per_flow" in r:
        mem = r["mem.slab_bytes_per_flow"]
        add("Memory per offloaded flow direction: %s B of slab, kmalloc pages and vmalloc"
            " (%s flows; %s); goal <= 128 B: %s"
            % (fmt(mem, 1), fmt(r.get("mem.flows")), r.get("mem.slab_caches", ""),
               "met" if isinstance(mem, (int, float)) and mem <= 128 else "MISSED"))
        add("  plus the preallocated table: 128 B entry + 32 B counter record + 8 B slot"
            " pointer + 8 B cookie chain = 176 B per table entry (64-bit)")
        add("")

    hw = r.get("udp.hw.to_cpu_per_flow")
    if hw is not None:
        add("Goal: after binding a flow sends at most a handful of packets through the CPU:"
            " %.2f packets/flow -> %s" % (hw, "met" if hw <= 5 else "MISSED"))
    return "\n".join(lines)


def plots(r, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib missing (make deps installs python3-matplotlib); no plots",
              file=sys.stderr)
        return []
    made = []
    names = [n for _, n in MODES]
    colors = ["#c44e52", "#dd8452", "#55a868"]

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    specs = [("router CPU (NET_RX) ms per million packets", "router_cpu_ms_per_mpkt", False),
             ("packets per flow to the CPU (after binding)", "to_cpu_per_flow", True),
             ("forwarded packets/s", "pps", False)]
    for ax, (title, key, log) in zip(axes, specs):
        for i, proto in enumerate(("udp", "tcp")):
            k = "pps_both" if (proto == "tcp" and key == "pps") else key
            vals = [r.get(f"{proto}.{m}.{k}") or 0 for m, _ in MODES]
            xs = [j + (i - 0.5) * 0.38 for j in range(len(MODES))]
            bars = ax.bar(xs, [max(v, 0.01) if log else v for v in vals], 0.36,
                          color=colors, alpha=1.0 if proto == "udp" else 0.55,
                          edgecolor="black", label="64 B UDP" if proto == "udp" else "TCP bulk")
            for b, v in zip(bars, vals):
                ax.annotate(fmt(v, 1 if v < 10 else 0), (b.get_x() + b.get_width() / 2,
                            b.get_height()), ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(MODES)))
        ax.set_xticklabels(names)
        ax.set_title(title, fontsize=10)
        if log:
            ax.set_yscale("log")
    axes[0].legend(fontsize=8)
    fig.suptitle("openppe datapath: CPU path vs software flowtable vs engine offload "
                 "(solid: 64-byte UDP, light: TCP)", fontsize=11)
    fig.tight_layout()
    p = os.path.join(outdir, "datapath.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    made.append(p)

    cs = ctrl_summary(r)
    if cs:
        levels = cs["levels"]
        fig, ax = plt.subplots(figsize=(7, 4.2))
        for op, c in (("replace", "#4c72b0"), ("stats", "#55a868"), ("destroy", "#c44e52")):
            for kind, style in zip(cs["rules"], ("o-", "s--")):
                ax.plot(levels, [cs[kind][lv][op]["p50"] / 1000 for lv in levels], style,
                        color=c, label=f"{op.upper()} p50, {kind}")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("flows installed")
        ax.set_ylabel("microseconds per call (log)")
        ax.set_yscale("log")
        ax.set_title("openppe driver: cost per flow block call vs table load")
        ax.legend(fontsize=8, ncol=3)
        fig.tight_layout()
        p = os.path.join(outdir, "control.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        made.append(p)

    fs = fill_summary(r)
    if fs:
        n = fs["n"]
        labels = ["single hash\n(MediaTek-style)", "two buckets,\nno relocation",
                  "openppe: two buckets\n+ relocation"]
        vals = [fs["single"], fs["twochoice"], fs["installed"]]
        fig, ax = plt.subplots(figsize=(7, 4.2))
        bars = ax.bar(labels, vals, color=["#c44e52", "#dd8452", "#55a868"], edgecolor="black")
        for b, v in zip(bars, vals):
            ax.annotate(f"{v:.1f} %", (b.get_x() + b.get_width() / 2, v), ha="center",
                        va="bottom")
        ax.axhline(98, color="gray", linestyle=":", label="goal 98 % (median)")
        ax.set_ylim(0, 105)
        ax.set_ylabel("table filled at the first refused insert (%)")
        ax.set_title(f"{n:,} entries, {fs['ways']} ways per bucket, random keys,"
                     f" median of {fs['runs']}", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        p = os.path.join(outdir, "occupancy.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        made.append(p)
    return made


DEMO_MODES = [("cpu", "CPU path"), ("sw", "sw flowtable"), ("hw", "engine offload")]
EMULATOR_NOTE = [
    "The engine is openppe_sim, a model running on the guest's own emulated CPUs:",
    "packets/s compare code paths inside one QEMU guest, not line rates (a real",
    "engine forwards beside the CPU at wire speed; this one shares it). What carries",
    "over to hardware is where the packets go: once a flow is bound they no longer",
    "reach the router's stack, and the NET_RX time of the first two columns is the",
    "work offload takes off the CPU.",
]


def demo(outdir):
    """`make demo`: the CPU path vs offload comparison and demo.png."""
    r = load(os.path.join(outdir, "raw.txt"))
    rows = [("forwarded packets/s (64-byte UDP)", "pps", 0),
            ("packets per flow that reached the CPU", "to_cpu_per_flow", 2),
            ("router CPU (NET_RX) ms per million packets", "router_cpu_ms_per_mpkt", 0),
            ("router CPU (NET_RX) ms in the run", "router_cpu_ms", 1)]
    print("\n=== CPU path, software flowtable, engine offload"
          " (%s flows, %s packets each run) ===" % (r.get("meta.udp_flows"), r.get("meta.udp_packets")))
    print("  %-44s" % "" + "".join("%16s" % name for _, name in DEMO_MODES))
    for label, key, d in rows:
        print("  %-44s" % label
              + "".join("%16s" % fmt(r.get(f"udp.{m}.{key}"), d) for m, _ in DEMO_MODES))
    print("  engine: %s flow directions offloaded, %s frames forwarded by the engine"
          % (fmt(r.get("meta.offloaded")), fmt(r.get("meta.engine_hits"))))
    print()
    for line in EMULATOR_NOTE:
        print("  " + line)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib missing (make deps); no chart", file=sys.stderr)
        return 0
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
    for ax, (label, key, _) in zip(axes, rows[:3]):
        vals = [r.get(f"udp.{m}.{key}") or 0 for m, _ in DEMO_MODES]
        bars = ax.bar([name.replace(" ", "\n", 1) for _, name in DEMO_MODES], vals,
                      color=["#c44e52", "#dd8452", "#55a868"], edgecolor="black")
        for bar, v in zip(bars, vals):
            ax.annotate(fmt(v, 2 if v < 10 else 0),
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=9)
        ax.set_title(label, fontsize=10)
    fig.suptitle("openppe demo: what leaves the router's CPU when flows are offloaded")
    caption = "\n".join(" ".join(EMULATOR_NOTE[i:i + 2]) for i in range(0, len(EMULATOR_NOTE), 2))
    fig.text(0.5, 0.01, caption, ha="center", va="bottom", fontsize=8)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    p = os.path.join(outdir, "demo.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    print("chart: " + os.path.relpath(p))
    return 0


def bench_required(r):
    """The numbers every bench part that ran must have written."""
    keys = ["meta.kernel", "meta.kernel_debug", "meta.start", "meta.end"]
    if "meta.table_size" in r:         # the datapath part ran
        for m, _ in MODES:
            keys += [f"udp.{m}.{k}" for k in ("pps", "mbps", "to_cpu_per_flow",
                                              "setup.to_cpu_per_flow", "router_cpu_ms",
                                              "router_cpu_ms_per_mpkt")]
            keys += [f"tcp.{m}.{k}" for k in ("pps_both", "mbps", "to_cpu_per_flow",
                                              "router_cpu_ms", "router_cpu_ms_per_mpkt")]
    if "burst.flows" in r:
        keys += ["burst.offloaded", "burst.secs", "burst.send_secs", "burst.driver_replaces",
                 "burst.driver_secs", "burst.ct_secs", "burst.sw.secs"]
    if "ctrl.table_size" in r:
        keys.append("ctrl.reps")
        # lists of names: required, not numbers
        keys += [k for k in ("ctrl.rules", "ctrl.levels") if k not in r]
        reps = r.get("ctrl.reps") if isinstance(r.get("ctrl.reps"), int) else 0
        for kind in str(r.get("ctrl.rules", "")).split():
            for lv in str(r.get("ctrl.levels", "")).split():
                keys += [f"ctrl.{kind}.{lv}.r{i}.{op}.{q}" for i in range(1, reps + 1)
                         for op in CTRL_OPS for q in ("p50_ns", "p99_ns")]
                keys += [f"ctrl.{kind}.{lv}.r{i}.moves" for i in range(1, reps + 1)]
        keys += [f"ctrlmt.{d}.c{n}.per_sec" for d in ("old", "new") for n in (1, 3)]
        keys += ["ctrlmt.latency_us", "ctrlmt.new_slots", "ctrlmt.old.cache_timeouts",
                 "ctrlmt.new.cache_timeouts"]
        runs = r.get("fill.runs")
        if not isinstance(runs, int) or runs < 1:
            keys.append("fill.runs")
            runs = 0
        for i in range(1, runs + 1):
            keys += [f"fill.{i}.{k}" for k in ("entries", "installed", "twochoice", "single",
                                                "relocations")]
        keys += ["mem.flows", "mem.slab_bytes_per_flow"]
    return keys


def demo_required(_r):
    keys = ["meta.udp_flows", "meta.udp_packets", "meta.offloaded", "meta.engine_hits",
            "meta.end"]
    for m, _ in DEMO_MODES:
        keys += [f"udp.{m}.{k}" for k in ("pps", "to_cpu_per_flow", "router_cpu_ms",
                                          "router_cpu_ms_per_mpkt")]
    return keys


def check(r, required, what):
    """--check: every number the report prints is in raw.txt, and a number."""
    bad = [k for k in required(r)
           if k not in r or (not k.startswith("meta.") and not isinstance(r[k], (int, float)))]
    for k in bad:
        print("report.py: %s: %s %s" % (what, k, "missing" if k not in r else
                                        "is not a number: %r" % r[k]), file=sys.stderr)
    return 1 if bad else 0


def main():
    args = sys.argv[1:]
    if args and not os.path.isfile(os.path.join(args[-1], "raw.txt")):
        print("report.py: %s has no raw.txt (the guest run wrote nothing)" % args[-1],
              file=sys.stderr)
        return 1
    strict = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) == 2 and args[0] == "--demo":
        rc = demo(args[1])
        if strict:
            rc = rc or check(load(os.path.join(args[1], "raw.txt")), demo_required, "demo")
        return rc
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = args[0]
    raw = load(os.path.join(outdir, "raw.txt"))
    if strict and check(raw, bench_required, "bench"):
        return 1
    if "meta.end" not in raw:
        print("report.py: %s/raw.txt is incomplete (the guest run did not finish)" % outdir,
              file=sys.stderr)
    text = table(raw)
    print(text)
    with open(os.path.join(outdir, "results.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    with open(os.path.join(outdir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(nest(raw), f, indent=1, sort_keys=True)
        f.write("\n")
    made = plots(raw, outdir)
    for p in made:
        print("plot: " + os.path.relpath(p))
    print("json: " + os.path.relpath(os.path.join(outdir, "results.json")))
    if strict:
        # every part that ran has its plot (make check installs matplotlib)
        want = []
        if "meta.table_size" in raw:
            want.append("datapath.png")
        if "ctrl.table_size" in raw:
            want += ["control.png", "occupancy.png"]
        paths = {w: os.path.join(outdir, w) for w in want}
        missing = [w for w, q in paths.items()
                   if not (os.path.isfile(q) and os.path.getsize(q) > 0)]
        for w in missing:
            print("report.py: bench: no plot %s" % w, file=sys.stderr)
        if missing:
            return 1
    return 0 if "meta.end" in raw else 1


if __name__ == "__main__":
    sys.exit(main())
