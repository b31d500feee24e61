#!/bin/sh
# cmdline hook (kdump-cs): a capture kernel may boot without root=. dracut's shell init stops
# with "No or empty root= argument" after the cmdline hooks; our capture does not need a root
# file system, so accept the empty one. (Under systemd an unset root= is already accepted.)
if [ -z "$DRACUT_SYSTEMD" ] && [ -z "$root" ]; then
    root=kdump-cs
    rootok=1
fi
