#!/bin/sh
# pre-mount hook (kdump-cs): in a capture kernel, save the dump. kdump-capture ends with
# final_action (or failure_action) itself; it only returns when that did not take the machine down.
if [ -e /proc/vmcore ]; then
    # Its messages are the user's only view of the capture: the console, not the journal.
    /usr/lib/kdump/kdump-capture </dev/console >/dev/console 2>&1
    die "kdump-capture returned (exit status $?) without ending the capture kernel"
fi
