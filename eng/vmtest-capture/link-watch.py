#!/usr/bin/python3
"""Takes a guest NIC's link down and up again over QMP, paced by the guest's serial log (stdlib only).

  link-watch.py --serial LOG --qmp SOCKET --netdev ID --timeout S

On "NETVM-LINK-OFF-PLEASE" (the first kernel, after kdumpctl start) it sets the link of netdev ID
down, as a pulled cable or a switch port still negotiating; the guest then panics and the capture
kernel comes up without carrier. 8 s after "kdump: eth0 (…) is" (kdump-capture has configured the
NIC; a mark that does not depend on its wait for carrier) it sets the link up. Each step is printed
as "LINK-WATCH …". Waits for QEMU's socket as long as it takes (QEMU may wait for the heavy-job
lock; the caller stops this script when QEMU is gone); S seconds count from the connection. Talks
to nothing but the QMP socket of the QEMU its caller started.
"""
import argparse, os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
from guest import Qmp  # noqa: E402


def say(msg):
    print(f"LINK-WATCH {time.strftime('%H:%M:%S')} {msg}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True)
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--netdev", required=True)
    ap.add_argument("--timeout", type=float, required=True)
    a = ap.parse_args()
    qmp = None
    while qmp is None:
        try:
            qmp = Qmp(a.qmp, 10)
        except (OSError, RuntimeError, ValueError):
            # Not there yet, or QEMU still starting (a closed or half-written greeting).
            time.sleep(0.2)
    end = time.monotonic() + a.timeout
    steps = [("NETVM-LINK-OFF-PLEASE", 0, False), ("kdump: eth0 (52:54:00:12:34:56) is ", 8, True)]
    seen = 0
    while steps and time.monotonic() < end:
        try:
            with open(a.serial, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        marker, delay, up = steps[0]
        at = text.find(marker, seen)
        if at < 0:
            time.sleep(0.2)
            continue
        seen = at + len(marker)
        time.sleep(delay)
        try:
            qmp.cmd("set_link", name=a.netdev, up=up)
        except (OSError, RuntimeError) as e:
            say(f"set_link {a.netdev} {'on' if up else 'off'} failed: {e}")
            return 1
        say(f"set_link {a.netdev} {'on' if up else 'off'} after \"{marker}\"")
        steps.pop(0)
    if steps:
        say(f"gave up waiting for \"{steps[0][0]}\"")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
