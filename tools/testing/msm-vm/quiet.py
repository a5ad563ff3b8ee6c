#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Keep a kernel build's output readable: the log in full, the screen short.

    kunit.py build ... 2>&1 | quiet.py --src SRC --ours MANIFEST \\
        --log LOG --warnings OUT

Writes every line read to LOG.  Prints only:
  - kunit.py's own progress lines ("[10:33:50] Building KUnit Kernel ..."),
    one per phase;
  - each compiler diagnostic (clang's "file:line:col: warning: ..." with
    its include chain, notes and source excerpt; rustc's "warning: ..."
    with its " --> file:line:col") located in a file msm-vm wrote or
    patched (MANIFEST lists them, relative to SRC), and each error, wherever
    it is;
  - a last line counting what was left out, with LOG's path.
The diagnostics located in msm-vm's files go to OUT too (empty when there
are none), which report.py counts as failures: our files must build
without a warning, while the 6.12 base's UML headers give tens of thousands.
"""

import argparse
import re
import sys

PROGRESS = re.compile(r"^\[\d\d:\d\d:\d\d\] ")
C_DIAG = re.compile(r"^(\S+?):\d+:\d+: (warning|error|fatal error): ")
RUST_DIAG = re.compile(r"^(warning|error)(\[\w+\])?: ")
RUST_LOC = re.compile(r"^\s*--> (\S+?):\d+:\d+")
INCLUDED = re.compile(r"^(In file included from |\s+from )\S+")
GENERATED = re.compile(r"^(\d+ (warning|error)s?( and \d+ errors?)? generated\.$"
                       r"|(warning|error): \d+ warnings? emitted)")
OTHER_ERROR = re.compile(r"(\*\*\*|^ERROR:|^make(\[\d+\])?: .*Error )")


class Block:
    """One diagnostic: its lines, severity and the file it is located in."""

    def __init__(self):
        self.lines = []
        self.severity = None
        self.path = None
        self.chain = True  # only include-chain lines so far


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--warnings", required=True)
    args = ap.parse_args()

    src = args.src.rstrip("/") + "/"
    with open(args.ours, encoding="utf-8") as f:
        ours = {line.strip() for line in f if line.strip()}

    def is_ours(path):
        if path.startswith(src):
            path = path[len(src):]
        return path in ours

    counts = {"lines": 0, "base": 0, "ours": 0}
    shown_ours = []
    out = sys.stdout

    def flush(block):
        if block is None or block.severity is None:
            return
        mine = block.path is not None and is_ours(block.path)
        if mine:
            counts["ours"] += 1
            shown_ours.extend(block.lines)
        elif block.severity == "warning":
            counts["base"] += 1
        if mine or block.severity != "warning":
            out.write("".join(block.lines))
            out.flush()

    block = None
    with open(args.log, "w", encoding="utf-8", errors="replace") as log:
        for line in sys.stdin:
            log.write(line)
            counts["lines"] += 1
            shown = PROGRESS.match(line) or OTHER_ERROR.search(line)
            if shown or GENERATED.match(line):
                # A line of its own: it ends the diagnostic before it.
                flush(block)
                block = None
                if shown:
                    out.write(line)
                    out.flush()
                continue
            inc = INCLUDED.match(line)
            c = C_DIAG.match(line)
            r = RUST_DIAG.match(line)
            if inc or c or r:
                # A diagnostic begins unless this continues an include chain.
                if block is None or not block.chain or (not inc and block.severity):
                    flush(block)
                    block = Block()
                block.lines.append(line)
                if c and block.severity is None:
                    block.path, block.severity = c[1], c[2].replace("fatal ", "")
                elif r and block.severity is None:
                    block.severity = r[1]
                if not inc:
                    block.chain = False
                continue
            if block is not None:
                block.lines.append(line)
                m = RUST_LOC.match(line)
                if m and block.path is None:
                    block.path = m[1]
                continue
        flush(block)

    with open(args.warnings, "w", encoding="utf-8") as f:
        f.write("".join(shown_ours))
    print(f"msm-vm: build: {counts['lines']} lines of output, {counts['base']} warnings "
          f"from the 6.12 base left out, {counts['ours']} from msm-vm files; "
          f"full log: {args.log}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
