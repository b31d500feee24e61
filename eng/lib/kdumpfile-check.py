#!/usr/bin/python3
# An independent reader's word on a saved dump: libkdumpfile (Debian's python3-libkdumpfile) opens
# VMCORE, its VMCOREINFO names kernel KVER, and the physical page at ADDR (default 16 MiB: kernel
# text with nokaslr, kept at every dump level) reads back. Prints one line; exit 1 on any failure.
#   kdumpfile-check.py VMCORE KVER [ADDR]
import sys

import kdumpfile

path, kver = sys.argv[1], sys.argv[2]
addr = int(sys.argv[3], 0) if len(sys.argv) > 3 else 0x1000000
try:
    k = kdumpfile.kdumpfile(path)
    info = bytes(k.attr['linux.vmcoreinfo.raw']).decode('ascii', 'replace')
    if 'OSRELEASE=' + kver + '\n' not in info:
        sys.exit('kdumpfile-check: VMCOREINFO of %s does not name %s' % (path, kver))
    data = bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, addr, 4096))
except Exception as e:  # the reader's own error, whatever it is, is the verdict
    sys.exit('kdumpfile-check: libkdumpfile cannot read %s: %s: %s' % (path, type(e).__name__, e))
if len(data) != 4096 or not any(data):
    sys.exit('kdumpfile-check: page 0x%x of %s is empty' % (addr, path))
print('libkdumpfile: %s (%s) OSRELEASE=%s, page 0x%x read' % (path.rsplit('/', 1)[-1], k.attr['file.format'], kver, addr))
