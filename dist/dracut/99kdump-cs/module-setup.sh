#!/bin/bash
# dracut module of the C# kdump tools: puts our capture program and makedumpfile into a capture
# initramfs and runs the capture from a pre-mount hook. Only our mkdumprd (--backend=dracut) uses
# it: it prepares a stage directory and names it in KDUMP_CS_STAGE, which holds
#   root/          files for the image, at their image paths (kdump.conf as the capture reads it,
#                  the capture program at /usr/lib/kdump/kdump-capture, makedumpfile, ssh files,
#                  programs named by kdump.conf with their libraries, hook directories)
#   wait-devices   /dev paths of the dump target, one a line: the initqueue waits for them
# Kernel modules and the target's fstab lines come through dracut's own --add-drivers and --mount.

check() {
    # Never part of an ordinary initramfs: only when mkdumprd asks for it with a stage.
    [[ -n $KDUMP_CS_STAGE && -d $KDUMP_CS_STAGE/root ]] || return 1
    return 255
}

depends() {
    # udev-rules: /dev/disk/by-* names for the target; the initqueue waits on them.
    echo base udev-rules
    return 0
}

installkernel() {
    return 0
}

install() {
    local stage=$KDUMP_CS_STAGE path target

    # Directories first (empty mount points such as /kdumproot, /root/.ssh 0700).
    while IFS= read -r -d '' path; do
        path=${path#.}
        [[ -z $path || -L $initdir$path ]] && continue
        mkdir -p -- "$initdir$path"
        chmod --reference="$stage/root$path" -- "$initdir$path"
    done < <(cd "$stage/root" && find . -type d -print0)

    while IFS= read -r -d '' path; do
        path=${path#.}
        inst_simple "$stage/root$path" "$path" || dfatal "kdump-cs: cannot install $path"
    done < <(cd "$stage/root" && find . -type f -print0)

    # The dump server's pinned name: appended, since a hostonly dracut may already have put the
    # host's /etc/hosts there and inst_simple would keep that one.
    if [[ -s $stage/hosts-append ]]; then
        mkdir -p -- "$initdir/etc"
        cat -- "$stage/hosts-append" >>"$initdir/etc/hosts"
    fi

    # Links to links of the stage go second: in a merged-/usr image /sbin/makedumpfile IS
    # /usr/sbin/makedumpfile, and making the former first would leave the latter a link to itself.
    local pass
    for pass in 1 2; do
        while IFS= read -r -d '' path; do
            path=${path#.}
            target=$(readlink -- "$stage/root$path")
            if [[ -L $stage/root$target ]]; then [[ $pass == 2 ]] || continue; else [[ $pass == 1 ]] || continue; fi
            # like inst_simple: what dracut already put there stays (e.g. its /bin/sh)
            [[ -e $initdir$path || -L $initdir$path ]] && continue
            ln_r "$target" "$path"
        done < <(cd "$stage/root" && find . -type l -print0)
    done

    # The capture kernel starts without root=: dracut's shell init would give up before pre-mount.
    inst_hook cmdline 99 "$moddir/kdump-cs-cmdline.sh"
    # pre-mount: after the initqueue (udev settled, target devices present), in both init flavours.
    inst_hook pre-mount 90 "$moddir/kdump-cs-capture.sh"

    if [[ -s $stage/wait-devices ]]; then
        (
            dracut_module_included systemd && export DRACUT_SYSTEMD=1
            export PREFIX="$initdir" hookdir=/lib/dracut/hooks
            # shellcheck source=/dev/null
            . "$dracutbasedir/modules.d/99base/dracut-dev-lib.sh"
            while IFS= read -r path; do
                [[ -n $path ]] && wait_for_dev "$path" 0
            done < "$stage/wait-devices"
        )
        dracut_need_initqueue
    fi
}
