#!/usr/bin/env bash
# Install the system libraries that labelapp's Qt (PySide6 QtWidgets, QtPdf, QtPrintSupport and the
# xcb platform plugin) loads at run time, on Debian or Ubuntu. Installs only what is missing, with
# sudo when not root, and waits for another package manager's lock instead of failing.
#
#   bash scripts/install-system-libraries.sh            # the libraries (the README's first command)
#   bash scripts/install-system-libraries.sh xvfb ...   # the libraries and more packages (.ci/run)
#   source scripts/install-system-libraries.sh          # defines LABELAPP_SYSTEM_LIBRARIES and
#                                                       # labelapp_apt_install PKG... (.ci/*.sh)
#
# On a system without apt-get it does nothing and says so: on Fedora/RHEL the README names the dnf
# packages; macOS and Windows need nothing (the PySide6 wheels carry what Qt needs there).
#
# The list: every library that `ldd` reports "not found" for PySide6's Qt modules and plugins in a
# minimal Debian 12 (debootstrap --variant=minbase, with python3 and python3-venv only), plus the
# other libraries those Qt files name directly (readelf -d), mapped to packages with apt-file.
# labelapp/gui/platform_check.py names the same packages in its refusal (a test keeps them in step).

# One package a line; after the '#': the sonames it provides that Qt needs, and who needs them.
LABELAPP_SYSTEM_LIBRARIES=(
    libglib2.0-0         # libglib-2.0.so.0 libgthread-2.0.so.0 (QtCore)
    libegl1              # libEGL.so.1 (QtGui)
    libgl1               # libGL.so.1 (QtGui)
    libx11-6             # libX11.so.6 (QtGui, xcb plugin)
    libfontconfig1       # libfontconfig.so.1 (QtGui)
    libfreetype6         # libfreetype.so.6 (QtGui)
    libxkbcommon0        # libxkbcommon.so.0 (QtGui)
    libdbus-1-3          # libdbus-1.so.3 (QtDBus, loaded by QtGui)
    libbrotli1           # libbrotlidec.so.1 libbrotlicommon.so.1 (QtNetwork, loaded by QtPdf)
    libgssapi-krb5-2     # libgssapi_krb5.so.2 (QtNetwork, loaded by QtPdf)
    libcups2             # libcups.so.2 (print support plugin: the printer list and printing)
    libx11-xcb1          # libX11-xcb.so.1 (xcb plugin, from here on)
    libxkbcommon-x11-0   # libxkbcommon-x11.so.0
    libxcb1              # libxcb.so.1
    libxcb-cursor0       # libxcb-cursor.so.0
    libxcb-icccm4        # libxcb-icccm.so.4
    libxcb-image0        # libxcb-image.so.0
    libxcb-keysyms1      # libxcb-keysyms.so.1
    libxcb-randr0        # libxcb-randr.so.0
    libxcb-render0       # libxcb-render.so.0
    libxcb-render-util0  # libxcb-render-util.so.0
    libxcb-shape0        # libxcb-shape.so.0
    libxcb-shm0          # libxcb-shm.so.0
    libxcb-sync1         # libxcb-sync.so.1
    libxcb-util1         # libxcb-util.so.1
    libxcb-xfixes0       # libxcb-xfixes.so.0
    libxcb-xkb1          # libxcb-xkb.so.1
    libxcb-glx0          # libxcb-glx.so.0 (the xcb plugin's GLX integration)
)

_labelapp_apt_log() { echo "install-system-libraries: $*" >&2; }

# True when PKG (or its 64-bit-time rename PKGt64, as on Ubuntu 24.04 and Debian 13) is installed.
_labelapp_dpkg_installed() {
    local name
    for name in "$1" "${1}t64"; do
        [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$name" 2>/dev/null)" = "ii " ] && return 0
    done
    return 1
}

# apt-get with sudo when not root; installs wait up to 10 minutes for the dpkg lock.
_labelapp_apt_get() {
    local as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { _labelapp_apt_log "needs root or sudo to run apt-get"; return 1; }
        as_root=(sudo)
    fi
    ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 "$@"
}

# apt-get update does not honour DPkg::Lock::Timeout for its lists lock (apt 2.6): retry while
# another apt holds it, for up to 10 minutes.
_labelapp_apt_update() {
    local out waited=0
    while :; do
        if out=$(_labelapp_apt_get update -qq 2>&1); then
            [ -n "$out" ] && printf '%s\n' "$out" >&2
            return 0
        fi
        if [ "$waited" -lt 600 ] && grep -q -e "Could not get lock" -e "Unable to lock" <<<"$out"; then
            [ "$waited" -eq 0 ] && _labelapp_apt_log "waiting for another package manager to finish (apt lock)"
            sleep 5
            waited=$((waited + 5))
            continue
        fi
        printf '%s\n' "$out" >&2
        return 1
    done
}

# labelapp_apt_install PKG...: installs those of PKG... that are not installed yet.
labelapp_apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        _labelapp_apt_log "no apt-get on this system, nothing installed (see the README for other systems)"
        return 0
    fi
    local pkg missing=()
    for pkg in "$@"; do _labelapp_dpkg_installed "$pkg" || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    _labelapp_apt_log "installing ${missing[*]}"
    _labelapp_apt_update || { _labelapp_apt_log "apt-get update failed"; return 1; }
    _labelapp_apt_get install -y -qq "${missing[@]}" >&2 || { _labelapp_apt_log "apt-get install failed"; return 1; }
}

labelapp_install_system_libraries() {
    local extra=("$@")
    # Debian and Ubuntu ship python3 without venv's ensurepip: the README's next step needs it.
    if command -v apt-get >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 \
            && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        extra+=(python3-venv)
    fi
    labelapp_apt_install "${LABELAPP_SYSTEM_LIBRARIES[@]}" ${extra[@]+"${extra[@]}"}
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    labelapp_install_system_libraries "$@"
fi
