# What drgn sees in a dump: the release, the crashed thread and its stack, the task count, the
# kernel log's length and its sysrq and panic lines. Run as `drgn -c VMCORE -s VMLINUX eng/lib/drgn-summary.py`; the Compat
# tests compare its output for our makedumpfile's file and for makedumpfile 1.7.8's.
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg

print("release", prog["init_uts_ns"].name.release.string_().decode())
thread = prog.crashed_thread()
print("crashed thread", thread.tid)
print("comm", thread.object.comm.string_().decode())
try:
    print("stack", " ".join(str(frame.name) for frame in thread.stack_trace()))
except Exception as e:  # drgn 0.0.22 unwinds kernels up to 6.1 (ORC changed after)
    print("stack unavailable:", type(e).__name__)
print("tasks", sum(1 for _ in for_each_task(prog)))
log = get_dmesg(prog).decode(errors="replace").splitlines()
print("log lines", len(log))
for line in log:
    if "sysrq" in line or "Kernel panic" in line:
        print("log", line)
