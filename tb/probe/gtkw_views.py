#!/usr/bin/env python3
"""Writes one GTKWave view per --wave-signals group (traces/views/GROUP.gtkw) from the
full views, so a dump of one group opens with exactly its rows.

  gtkw_views.py TRACES_DIR [OUT_DIR]     (OUT_DIR defaults to TRACES_DIR/views)

A view is the header of its source (size, zoom) and the sections (`-Heading` blocks)
whose rows belong to the group; translate-filter lines keep their /mmvp/traces/ paths,
which GTKWave resolves against [savefile] (traces/views/ is one level down)."""
import os
import sys

# group -> (source view, the headings of its sections, as they start)
GROUPS = {
    "cpu": ("mmvp.gtkw", ["CPU core"]),
    "mmu": ("mmvp.gtkw", ["TLBs", "Page walker"]),
    "cache": ("mmvp.gtkw", ["Caches"]),
    "dram": ("mmvp.gtkw", ["DRAM banks"]),
    "dma": ("mmvp.gtkw", ["ISA DMA"]),
    "rtl": ("mmvp_rtl.gtkw", ["RTL "]),
}

# What a run needs for the group's signals to exist.
RUN_OPTIONS = {"rtl": " --set mmu.dtlb.l1_4k.impl=rtl"}
# Zoom (GTKWave's log2 of the time per pixel, here in ps) where the source's does not
# suit: ISA DMA transfers take microseconds, a TLB lookup nanoseconds.
ZOOM = {"dma": "*-25.000000 0 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1"}



def dram_rows():
    """Every bank of the default DRAM (16; the full view shows four)."""
    rows = ["@200", "-DRAM banks (open_row = row + 1, 0 = precharged)"]
    for b in range(16):
        rows += ["@28", f"top.dram.bank{b}_active", "@24", f"top.dram.bank{b}_open_row[31:0]"]
    return rows


def dma_rows():
    """Both i8237s' channels, the cascade (4) too."""
    rows = ["@200", "-ISA DMA (i8237 pair; address = 24-bit bus address, tc = status TC bit)",
            "@22", "top.dma.irq[15:0]", "@28", "top.isa.busy", "top.isa.dreq"]
    for c in range(8):
        rows += ["@28", f"top.dma.ch{c}_active", f"top.dma.ch{c}_tc", "@22",
                 f"top.dma.ch{c}_address[23:0]", f"top.dma.ch{c}_count[15:0]"]
    return rows


# Groups whose rows are listed here rather than taken from a full view.
ROWS = {"dram": dram_rows, "dma": dma_rows}


def split(lines):
    """(header lines, [(heading, lines)]), a section starting at its `@200` line."""
    header, sections, i = [], [], 0
    while i < len(lines) and not (lines[i] == "@200" and i + 1 < len(lines)
                                  and lines[i + 1].startswith("-")):
        header.append(lines[i])
        i += 1
    while i < len(lines):
        start = i
        i += 2
        while i < len(lines) and not (lines[i] == "@200" and i + 1 < len(lines)
                                      and lines[i + 1].startswith("-")):
            i += 1
        sections.append((lines[start + 1][1:], lines[start:i]))
    return header, sections


def view(traces, group):
    source, headings = GROUPS[group]
    with open(os.path.join(traces, source)) as f:
        lines = f.read().splitlines()
    header, sections = split(lines)
    trailer = [l for l in sections[-1][1] if l.startswith("[pattern_trace]")]
    out = [f"[*] GTKWave view of the `{group}` signals, made from traces/{source} by",
           "[*] tb/probe/gtkw_views.py (do not edit): for a dump written with",
           f"[*]   mmvp ...{RUN_OPTIONS.get(group, '')} --wave run.vcd --wave-signals {group}",
           f"[*]   gtkwave run.vcd traces/views/{group}.gtkw",
           f'[savefile] "/mmvp/traces/views/{group}.gtkw"']
    for l in header:
        if l.startswith("[*]") or l.startswith("[savefile]"):
            continue
        out.append(ZOOM[group] if l.startswith("*") and group in ZOOM else l)
    if group in ROWS:
        out += ROWS[group]()
    for heading, body in sections:
        if group not in ROWS and any(heading.startswith(h) for h in headings):
            out += [l for l in body if not l.startswith("[pattern_trace]")]
    return "\n".join(out + trailer) + "\n"


def main():
    traces = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(traces, "views")
    os.makedirs(out_dir, exist_ok=True)
    for group in GROUPS:
        with open(os.path.join(out_dir, group + ".gtkw"), "w") as f:
            f.write(view(traces, group))


if __name__ == "__main__":
    main()
