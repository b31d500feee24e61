#!/usr/bin/python3
"""Runs one lab guest under QEMU and drives it (stdlib only).

  guest.py --serial LOG --sockdir DIR --timeout S [--qmp-dump FILE] -- QEMU-ARGV...

Adds the QMP socket, the serial log (ttyS0) and a control socket (ttyS1) to QEMU's argv.
Watches the serial log; on "LAB-READY-QMP" takes a QMP dump-guest-memory (ELF, paging=false) if
asked, then writes "go" to ttyS1. Succeeds when QEMU exits after "LAB-CAPTURE-DONE". Kills only the
QEMU process it started. Prints a tail of the serial log on failure.
"""
import argparse, json, os, signal, socket, subprocess, sys, time


def log(msg):
    print(f"[guest {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Qmp:
    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError("QMP connection closed")
            msg = json.loads(line)
            if "event" in msg:
                continue
            return msg

    def cmd(self, name, /, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        self.f.flush()
        r = self._read()
        if "error" in r:
            raise RuntimeError(f"QMP {name}: {r['error']}")
        return r.get("return")


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError as e:
        return f"(no serial log: {e})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True)
    ap.add_argument("--sockdir", required=True)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--qmp-dump")
    ap.add_argument("--timings", help="append key=seconds lines here")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    # A SIGTERM (e.g. from timeout(1)) unwinds through the finally below, which kills our QEMU.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    argv = a.qemu[1:] if a.qemu and a.qemu[0] == "--" else a.qemu
    qmp_path = os.path.join(a.sockdir, "qmp.sock")
    ctl_path = os.path.join(a.sockdir, "ctl.sock")
    for p in (qmp_path, ctl_path, a.serial):
        if os.path.exists(p):
            os.unlink(p)
    argv += ["-serial", f"file:{a.serial}",
             "-chardev", f"socket,id=ctl,path={ctl_path},server=on,wait=off", "-serial", "chardev:ctl",
             "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    t0 = time.monotonic()
    marks = {}
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    log(f"qemu pid {proc.pid}")
    pos, buf, ok, err = 0, b"", False, None
    try:
        while True:
            rc = proc.poll()
            try:
                with open(a.serial, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
            except FileNotFoundError:
                chunk = b""
            pos += len(chunk)
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace").strip()
                if text.startswith("LAB-FAIL"):
                    err = text
                elif text.startswith("LAB-READY-QMP") and "ready" not in marks:
                    marks["ready"] = time.monotonic() - t0
                    log(f"guest state ready after {marks['ready']:.1f}s")
                    if a.qmp_dump:
                        q = Qmp(qmp_path, a.timeout)
                        td = time.monotonic()
                        q.cmd("dump-guest-memory", paging=False, protocol="file:" + os.path.abspath(a.qmp_dump),
                              format="elf")
                        marks["qmp_dump"] = time.monotonic() - td
                        log(f"QMP dump written in {marks['qmp_dump']:.1f}s")
                        q.s.close()
                    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    c.connect(ctl_path)
                    c.sendall(b"go\n")
                    time.sleep(0.5)
                    c.close()
                elif text.startswith("LAB-PANIC"):
                    marks["panic"] = time.monotonic() - t0
                elif text.startswith("LAB-CAPTURE-DONE"):
                    marks["capture_done"] = time.monotonic() - t0
                    print(text)
                    ok = True
            if err:
                break
            if rc is not None:
                break
            if time.monotonic() - t0 > a.timeout:
                err = f"timeout after {a.timeout:.0f}s"
                break
            time.sleep(0.25)
    finally:
        if proc.poll() is None:
            if ok and not err:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    marks["total"] = time.monotonic() - t0
    if a.timings:
        with open(a.timings, "a") as f:
            for k, v in marks.items():
                f.write(f"guest_{k}_s={v:.1f}\n")
    if err or not ok:
        log(f"FAILED: {err or 'qemu exited (rc=%s) without LAB-CAPTURE-DONE' % proc.returncode}")
        log("serial log tail:\n" + tail(a.serial))
        return 1
    log(f"guest run done in {marks['total']:.1f}s (panic at {marks.get('panic', 0):.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
