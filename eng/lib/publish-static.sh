# shellcheck shell=bash
# Fully static NativeAOT publishes for the guests' initramfs images (no loader, no libc there).
# Source after heavy-lock.sh; needs REPO.
#
# Static builds get their own intermediate directory (ArtifactsPivots): the NativeAOT link step
# is incremental on the object file only, so after eng/aot/publish.sh made a dynamic binary from
# the same sources, a static publish sharing its obj/ would skip the link and copy that dynamic
# binary (seen in CI: "dynamically linked" right after a successful publish).
# PIE is off because bfd cannot make static-pie here (dotnet-notes.md).
# Each tool's publish also holds its own lock: under CI's suite-wide heavy lock `heavy` does not
# serialise, and two test classes publishing the same tool into the shared obj/ broke the link
# ("ld returned 1" for kdump-capture and makedumpfile in CI).

# publish_static PROJECT_CSPROJ OUT_DIR TOOL: publish unless OUT_DIR/TOOL is static and newer than
# every source file; fail unless the result is statically linked.
publish_static() {
  local proj=$1 out=$2 tool=$3 bin=$2/$3
  if [[ ! -x $bin ]] || ! _is_static "$bin" || [[ -n $(find "$REPO/src" "$REPO/Directory.Build.props" "$REPO/Directory.Packages.props" \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$bin" -print -quit) ]]; then
    mkdir -p "$out"
    heavy flock "/tmp/kdump-publish-$tool.lock" dotnet publish "$proj" -c Release -r linux-x64 --nologo -v q \
      -p:PublishAot=true -p:StaticExecutable=true -p:PositionIndependentExecutable=false \
      -p:ArtifactsPivots=release_linux-x64_static -o "$out" >"$out/$tool.publish.log" 2>&1 \
      || { cat "$out/$tool.publish.log" >&2; echo "publish_static: dotnet publish $proj failed" >&2; return 1; }
    touch "$bin"
  fi
  _is_static "$bin" || { echo "publish_static: $bin is not statically linked: $(file -L "$bin")" >&2; return 1; }
}
_is_static() { file -L "$1" 2>/dev/null | grep -q 'statically linked'; }
