#!/usr/bin/env python3
"""Random makedumpfile command lines for eng/compat/diff-makedumpfile.sh (CASES_FILE=…).

The hand-written cases (makedumpfile-cases.txt) try each option alone; this draws combinations of
input kind, output mode, codec, dump level, thread count and the options that change how the
work is cut (cycles, split blocks, work dir, dry run, mmap), so that two options meeting in an
untried way get compared with 1.7.8 too. Seeded: the same seed prints the same cases.

    eng/compat/random-cases.py [--seed N] [--count N] [--without-bits MASK] [--debug] > cases.txt
    CASES_FILE=cases.txt RELEASES=bookworm eng/compat/diff-makedumpfile.sh

Left out on purpose, because their differences are known and documented
(docs/compat/makedumpfile.md): -p (sid's 1.7.8 is built without snappy), message-level bit 16
and --show-stats (1.7.8's cache and timing lines), -D and bit 8 unless --debug, -L (where the write
cache cuts the file). -F cases differ in record sizes only; the harness then compares the two
streams reassembled by 1.7.8's -R.
"""
import argparse
import random
import re

CODECS = ["", "-c", "-l", "-z"]
KDUMPS = ["{KDUMP:l-d31}", "{KDUMP:l-d0}", "{KDUMP:c-d1}", "{KDUMP:z-d1}", "{KDUMP:R-l-d31}"]
# message levels without bit 16 (progress 1, common 2, error 4, debug 8 is left out: -D's lines)
MESSAGE_LEVELS = ["0", "1", "2", "3", "4", "5", "6", "7"]


def level(r: random.Random, without: int = 0) -> str:
    if r.random() < 0.15:
        return ",".join(str(r.randrange(32) & ~without) for _ in range(r.randint(2, 3)))
    # weight the levels that copy most (0, 1) less: they are the slow ones
    return str(r.choice([r.randrange(32), 31, r.randrange(2, 32)]) & ~without)


def case(r: random.Random, without: int = 0, debug: bool = False) -> str:
    opts: list[str] = []
    files: list[str] = []
    timeout = 0
    source = r.choices(["vmcore", "kdump", "vmlinux", "reassemble", "flat"], [58, 22, 8, 6, 6])[0]
    if source == "reassemble":
        parts = r.choice([["{SPLIT1}", "{SPLIT2}", "{SPLIT3}"], ["{SPLIT1}", "{SPLIT2}"],
                          ["{SPLIT2}", "{SPLIT3}"], ["{SPLIT3}", "{SPLIT1}", "{SPLIT2}"]])
        opts = ["--reassemble"]
        if r.random() < 0.3:
            opts.append(r.choice(["--dry-run", "--message-level " + r.choice(MESSAGE_LEVELS)]))
        return " ".join(opts + parts + ["{OUT}"])
    if source == "flat":
        opts = ["-R", "{OUT}"]
        if r.random() < 0.3:
            opts.insert(0, r.choice(["--dry-run", "--message-level " + r.choice(MESSAGE_LEVELS)]))
        return " ".join(opts) + " < {FLAT}"

    # a kdump input keeps the levels it was made with (the re-filter ORs them in)
    kdumps = [k for k in KDUMPS if int(re.search(r"d(\d+)", k).group(1)) & without == 0]
    src = {"vmcore": "{VMCORE}", "vmlinux": "{VMCORE}", "kdump": r.choice(kdumps)}[source]
    if source == "vmlinux":
        opts += ["-x", "{VMLINUX}"]
        timeout = 180
    mode = r.choices(["kdump", "elf", "flat", "split", "dmesg"], [45, 20, 15, 15, 5])[0]
    # erase filters; not with -E, where we deliberately erase the second copy 1.7.8 leaves
    if source == "vmlinux" and mode not in ("elf", "dmesg") and r.random() < 0.5:
        opts += ["--config", "{ERASECONF}"]
    if mode == "dmesg":
        opts.append("--dump-dmesg")
        files = [src, "{OUT}"]
    else:
        codec = r.choice(CODECS)
        if codec:
            opts.append(codec)
        opts += ["-d", level(r, without)]
        if mode == "elf":
            opts.append("-E")
            files = [src, "{OUT}"]
        elif mode == "flat":
            opts.append("-F")
            files = [src]
        elif mode == "split":
            opts.append("--split")
            files = [src, "{OUT}", "{OUT2}"] + (["{OUT3}"] if r.random() < 0.5 else [])
            if r.random() < 0.6:
                opts += ["--splitblock-size", r.choice(["4096", "16384", "65536", "1048576", "8192"])]
        else:
            files = [src, "{OUT}"]
        if r.random() < 0.3:
            opts += ["--num-threads", r.choice(["1", "2", "4"])]
            timeout = max(timeout, 240)   # 1.7.8's threads are several times slower than one
        if r.random() < 0.25:
            opts += ["--cyclic-buffer", r.choice(["1", "4", "64", "1024", "8192"])]
        if r.random() < 0.15:
            opts += ["-b", str(r.randrange(0, 14))]
        if r.random() < 0.1:
            opts += ["--work-dir", "{DIR}"]
        if r.random() < 0.1:
            opts.append("--non-mmap")
        if r.random() < 0.1:
            opts.append("-e")
        if r.random() < 0.1 and mode != "flat":
            opts.append("--dry-run")
        if r.random() < 0.1 and source == "vmcore":
            opts += ["-i", "{VMCOREINFO}"]
    if r.random() < 0.3:
        opts += ["--message-level", r.choice(MESSAGE_LEVELS)]
    # -D and bit 8, drawn only when asked (old seeds print what they printed); not where 1.7.8's
    # debug text is known to differ: -x's DWARF lookups, -e's vmemmap walk, --split's children
    if debug and r.random() < 0.4 and not {"-x", "-e", "--split"} & set(opts):
        opts.append("-D") if r.random() < 0.5 else opts.extend(["--message-level", str(8 + r.randrange(8))])
    # getopt permutes: options after the files must mean the same
    words = opts + files
    if r.random() < 0.2:
        words = regroup(opts, files, r.randrange(len(opts) + 1))
    line = " ".join(words)
    if timeout == 0 and re.search(r"-d [01](,|\s|$)", line) and "-c" in opts:
        timeout = 120
    return (f"TIMEOUT={timeout} " if timeout else "") + line


def regroup(opts: list[str], files: list[str], cut: int) -> list[str]:
    """opts cut at an option boundary at or after `cut`, the files in between."""
    takes_arg = {"-d", "-x", "-i", "--config", "-b", "--num-threads", "--cyclic-buffer", "--work-dir",
                 "--splitblock-size", "--message-level"}
    i = 0
    while i < cut and i < len(opts):
        i += 2 if opts[i] in takes_arg else 1
    return opts[:i] + files + opts[i:]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--debug", action="store_true", help="also draw -D and message levels with bit 8 (1.7.8's debug lines)")
    p.add_argument("--without-bits", type=lambda v: int(v, 0), default=0, metavar="MASK",
                   help="clear these -d bits, e.g. 8 on sid: 1.7.8 lacks upstream f50c015 and misreads 7.1's user pages")
    a = p.parse_args()
    r = random.Random(a.seed)
    print(f"# eng/compat/random-cases.py --seed {a.seed} --count {a.count} --without-bits {a.without_bits}"
          + (" --debug" if a.debug else ""))
    seen = set()
    while len(seen) < a.count:
        c = case(r, a.without_bits, a.debug)
        if c not in seen:
            seen.add(c)
            print(c)


if __name__ == "__main__":
    main()
