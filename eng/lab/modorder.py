#!/usr/bin/python3
"""Load order for kernel modules from an unpacked tree's modules.dep (stdlib only).
  modorder.py MODDIR NAME...   -> relative module paths, dependencies first, one per line.
Names match with '-' and '_' treated alike; built-in modules (modules.builtin) are skipped;
an unknown name is an error, unless it ends with '?' (a module some kernels no longer have)."""
import os, re, sys

def norm(n):
    return n.replace("-", "_")

def modname(path):
    return norm(re.sub(r"\.ko(\.(xz|zst|gz))?$", "", os.path.basename(path)))

def main():
    moddir, names = sys.argv[1], sys.argv[2:]
    deps, byname = {}, {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
            byname[modname(path)] = path
    builtin = set()
    try:
        with open(os.path.join(moddir, "modules.builtin")) as f:
            builtin = {modname(l.strip()) for l in f if l.strip()}
    except FileNotFoundError:
        pass
    order, seen = [], set()

    def visit(path):
        if path in seen:
            return
        seen.add(path)
        # modules.dep lists the whole closure; visiting each dependency (deepest first) gives a valid order.
        for d in reversed(deps.get(path, [])):
            visit(d)
        order.append(path)

    for n in names:
        optional = n.endswith("?")
        n = norm(n.rstrip("?"))
        if n in byname:
            visit(byname[n])
        elif n in builtin:
            print(f"modorder: {n} is built in", file=sys.stderr)
        elif optional:
            print(f"modorder: {n} is not in this kernel", file=sys.stderr)
        else:
            sys.exit(f"modorder: module {n} not found in {moddir}")
    print("\n".join(order))

if __name__ == "__main__":
    main()
