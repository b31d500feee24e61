#!/usr/bin/python3
"""Takes a guest NIC's link down and up again over QMP, paced by the guest's serial log (stdlib only).

  link-watch.py --serial LOG --qmp SOCKET --netdev ID --timeout S

On "NETVM-LINK-OFF-PLEASE" (the first kernel, after kdumpctl start) it sets the link of netdev ID
down, as a pulled cable or a switch port still negotiating; the guest then panics and the capture
kernel comes up without carrier. On "kdump: Waiting for carrier on" (kdump-capture waiting) it waits
3 s and sets the link up. Each step is printed as "LINK-WATCH …". Exits when QEMU closes the socket
or after S seconds. Talks to nothing but the QMP socket of the QEMU its caller started.
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
    end = time.monotonic() + a.timeout
    qmp = None
    while qmp is None:
        if time.monotonic() > end:
            say("no QMP socket")
            return 1
        try:
            qmp = Qmp(a.qmp, 10)
        except OSError:
            time.sleep(0.2)
    steps = [("NETVM-LINK-OFF-PLEASE", 0, False), ("kdump: Waiting for carrier on", 3, True)]
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
