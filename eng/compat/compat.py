#!/usr/bin/env python3
"""Helpers for eng/compat/diff-makedumpfile.sh (standard library only).

  compat.py expand LINE KEY=VALUE...   case line -> NUL-separated records: stdin file ("" = none),
                                       then the argv (placeholders {KEY} replaced, shell-like split)
  compat.py norm [--split] FILE FROM=TO...   print FILE normalised (see normalise())
  compat.py udiff A B LABEL_A LABEL_B N   unified diff of two files, first N lines
  compat.py escape-equal REF OURS      exit 0 when the files are equal once REF's `\\xffffffXX`
                                       escapes are read as `\\xXX` (the documented dmesg difference)
  compat.py binary FILE                exit 0 when FILE holds a NUL byte (a flattened stream)
  compat.py vmcoreinfo ELF OUT         write the VMCOREINFO note's text of an ELF64 vmcore to OUT
"""
import difflib
import re
import shlex
import struct
import sys

# makedumpfile's progress line: "\r%-50s: [%3u.%u %%] %c  %16s" (print_progress /
# print_execution_time); ours prints the same segment, then a newline.
PROGRESS = re.compile(
    rb"(Checking for memory holes|Excluding unnecessary pages|Excluding free pages|Copying data"
    rb"|Checking for memory holes in the dump file)"
    rb" *: \[ *[0-9]+\.[0-9] %\] [|/\\-]  .{0,16}")
STEP = re.compile(rb"^STEP \[[^\]]*\] : [0-9.]+ seconds$")


def expand(line, pairs):
    subst = dict(p.split("=", 1) for p in pairs)

    def repl(m):
        key = m.group(1)
        if key not in subst:
            sys.exit(f"compat.py: unknown placeholder {{{key}}} in: {line}")
        return shlex.quote(subst[key])

    text = re.sub(r"\{([A-Za-z0-9_:.-]+)\}", repl, line)
    words = shlex.split(text)
    stdin = ""
    if len(words) >= 2 and words[-2] == "<":
        stdin = words[-1]
        words = words[:-2]
    if "<" in words or ">" in words or "|" in words:
        sys.exit(f"compat.py: only a trailing '< FILE' redirection is supported: {line}")
    sys.stdout.buffer.write(b"\0".join(w.encode() for w in [stdin] + words) + b"\0")


def normalise(data, pairs, split=False):
    """Paths replaced (FROM=TO, longest FROM first); progress segments and STEP lines removed;
    the random suffix of a --work-dir bitmap file (mkstemp) is replaced by XXXXXX.

    A line is split at \\r; each segment that starts with a progress line loses that line (the
    rest of the segment is kept); empty segments go; a line that had progress and is left empty
    goes. Lines that were empty to begin with stay, except with split=True (--split: 1.7.8's
    children end their progress lines at the same time, so their newlines land anywhere): then
    empty lines right after a dropped progress line go too.
    """
    for frm, to in sorted((p.split("=", 1) for p in pairs), key=lambda p: -len(p[0])):
        if frm:
            data = data.replace(frm.encode(), to.encode())
    data = re.sub(rb"kdump_bitmap[A-Za-z0-9]{6}", b"kdump_bitmapXXXXXX", data)
    out, after_progress = [], False
    for line in data.split(b"\n"):
        if STEP.match(line):
            continue
        if split and after_progress and line == b"":
            continue
        after_progress = False
        if b"\r" not in line and not PROGRESS.match(line):
            out.append(line)
            continue
        kept, had = [], False
        for seg in line.split(b"\r"):
            # 1.7.8's --split children write at once: progress lines can follow each other
            # without a \r between them
            while m := PROGRESS.match(seg):
                had = True
                seg = seg[m.end():]
            if seg:
                kept.append(seg)
        if had and not kept:
            after_progress = True
            continue
        out.append(b"\\r".join(kept) if len(kept) > 1 else (kept[0] if kept else b""))
    return b"\n".join(out)


def udiff(a, b, la, lb, n, width=300):
    def read(p):
        with open(p, "rb") as f:
            return f.read().decode("latin-1")
    ta, tb = read(a), read(b)
    d = list(difflib.unified_diff(ta.splitlines(), tb.splitlines(), la, lb, lineterm="", n=2))
    for l in d[:n]:
        print(l if len(l) <= width else l[:width] + f"... (+{len(l) - width} chars)")
    if len(d) > n:
        print(f"... ({len(d) - n} more diff lines)")
    if not d and ta != tb:
        print(f"--- {la} / +++ {lb}: the same lines; only the end differs: "
              f"{la} ends {ta[-20:]!r}, {lb} ends {tb[-20:]!r}")


def vmcoreinfo(elf, out):
    with open(elf, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            sys.exit("compat.py: not an ELF64 file")
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            p_type, _, p_off, _, _, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if p_type != 4:
                continue
            f.seek(p_off)
            notes, pos = f.read(p_filesz), 0
            while pos + 12 <= len(notes):
                nsz, dsz, _ = struct.unpack_from("<III", notes, pos)
                name = notes[pos + 12:pos + 12 + nsz].rstrip(b"\0")
                dpos = pos + 12 + ((nsz + 3) & ~3)
                if name == b"VMCOREINFO":
                    with open(out, "wb") as o:
                        o.write(notes[dpos:dpos + dsz].rstrip(b"\0"))
                    return
                pos = dpos + ((dsz + 3) & ~3)
    sys.exit("compat.py: no VMCOREINFO note")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "expand":
        expand(args[0], args[1:])
    elif cmd == "norm":
        split = args[:1] == ["--split"]
        args = args[1:] if split else args
        with open(args[0], "rb") as f:
            sys.stdout.buffer.write(normalise(f.read(), args[1:], split))
    elif cmd == "udiff":
        udiff(args[0], args[1], args[2], args[3], int(args[4]))
    elif cmd == "escape-equal":
        with open(args[0], "rb") as f:
            ref = re.sub(rb"\\xffffff([0-9a-f]{2})", rb"\\x\1", f.read())
        with open(args[1], "rb") as f:
            sys.exit(0 if ref == f.read() else 1)
    elif cmd == "binary":
        with open(args[0], "rb") as f:
            sys.exit(0 if b"\0" in f.read() else 1)
    elif cmd == "vmcoreinfo":
        vmcoreinfo(args[0], args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
