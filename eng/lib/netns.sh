# shellcheck shell=bash
# A private network namespace with an sshd on 127.0.0.1 for the VM tests of network dump targets.
# Nothing here reaches another address: QEMU runs inside the namespace with user networking
# (restrict=on) and a guestfwd that connects to the namespace's loopback only.
# Source it, then:
#   netns_create NAME                 ip netns add NAME, lo up; netns_cleanup deletes it
#   netns_sshd DIR PORT PUBKEY [BIND SRC DST]
#                                     sshd -D as root on 127.0.0.1:PORT inside the namespace, own
#                                     config, host key, authorized_keys (PUBKEY) and PID file in DIR;
#                                     with BIND, SRC is bind-mounted on DST in the namespace's mount
#                                     namespace first (the dump lands in SRC, not on this machine's DST)
#   netns_ganesha DIR PORT EXPORT     NFS-Ganesha (userspace NFSv4 server: this machine's kernel has
#                                     no nfsd) on PORT inside the namespace, exporting EXPORT as
#                                     /exp read-write with root kept as root, no grace period;
#                                     config, log, PID file and recovery state in DIR
#   netns_cleanup                     kills the servers by their PID files, deletes the namespace
NETNS_NAME=""
NETNS_SSHD_PIDFILE=""
NETNS_GANESHA_PIDFILE=""

netns_create() {
  NETNS_NAME=$1
  ip netns add "$NETNS_NAME" || return 1
  ip netns exec "$NETNS_NAME" ip link set lo up
}

netns_sshd() {
  local dir=$1 port=$2 pubkey=$3 src=${5:-} dst=${6:-}
  [[ -x /usr/sbin/sshd ]] || { echo "netns: /usr/sbin/sshd missing (eng/lab/install-deps.sh)" >&2; return 1; }
  mkdir -p "$dir"
  rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C kdump-test-host -f "$dir/host_ed25519" || return 1
  install -m 600 "$pubkey" "$dir/authorized_keys"
  NETNS_SSHD_PIDFILE=$dir/sshd.pid
  cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $NETNS_SSHD_PIDFILE
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
LogLevel VERBOSE
CONF
  # sshd's privilege-separation directory (Debian's unit creates it at start).
  mkdir -p -m 0755 /run/sshd
  local bind=""
  [[ -n $src ]] && bind="mkdir -p '$dst' && mount --bind '$src' '$dst' && "
  # ip netns exec gives the command its own mount namespace: the bind mount stays in there.
  ip netns exec "$NETNS_NAME" sh -c "${bind}exec /usr/sbin/sshd -D -f '$dir/sshd_config' -E '$dir/sshd.log'" &
  local i
  for i in $(seq 1 50); do
    [[ -s $NETNS_SSHD_PIDFILE ]] && return 0
    sleep 0.1
  done
  echo "netns: sshd did not start:" >&2; cat "$dir/sshd.log" >&2
  return 1
}

netns_ganesha() {
  local dir=$1 port=$2 export=$3
  [[ -x /usr/bin/ganesha.nfsd ]] || { echo "netns: /usr/bin/ganesha.nfsd missing (eng/lab/install-deps.sh)" >&2; return 1; }
  mkdir -p "$dir/recovery"
  NETNS_GANESHA_PIDFILE=$dir/ganesha.pid
  rm -f "$NETNS_GANESHA_PIDFILE" "$dir/ganesha.log"
  # No Bind_addr: Ganesha 4.3 cannot resolve "127.0.0.1" there; the namespace has only lo anyway.
  cat >"$dir/ganesha.conf" <<CONF
NFS_CORE_PARAM {
  Protocols = 4;
  NFS_Port = $port;
  Enable_NLM = false;
  Enable_RQUOTA = false;
}
NFSV4 {
  Graceless = true;
  RecoveryBackend = fs;
  RecoveryRoot = "$dir/recovery";
}
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
  Export_Id = 1;
  Path = "$export";
  Pseudo = /exp;
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  Protocols = 4;
  Transports = TCP;
  FSAL { Name = VFS; }
}
CONF
  ip netns exec "$NETNS_NAME" /usr/bin/ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$dir/ganesha.log" \
    -p "$NETNS_GANESHA_PIDFILE" -N NIV_EVENT &
  local i
  for i in $(seq 1 100); do
    grep -q "NFS SERVER INITIALIZED" "$dir/ganesha.log" 2>/dev/null && [[ -s $NETNS_GANESHA_PIDFILE ]] && return 0
    sleep 0.1
  done
  echo "netns: ganesha did not start:" >&2; cat "$dir/ganesha.log" >&2
  return 1
}

netns_cleanup() {
  local f
  for f in "$NETNS_SSHD_PIDFILE" "$NETNS_GANESHA_PIDFILE"; do
    if [[ -n $f && -s $f ]]; then
      kill "$(cat "$f")" 2>/dev/null || true
      rm -f "$f"
    fi
  done
  if [[ -n $NETNS_NAME ]]; then
    ip netns delete "$NETNS_NAME" 2>/dev/null || true
    NETNS_NAME=""
  fi
}
