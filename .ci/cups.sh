#!/usr/bin/env bash
# Start a CUPS spooler with a PDF printer for the printing tests; exports LABELAPP_TEST_PRINTER and
# LABELAPP_TEST_CUPS_OUT (the folder where the printed PDFs arrive).
#   source .ci/cups.sh      # also defines labelapp_cups_stop, which stops the cupsd it started
# Installs Debian's cups and printer-driver-cups-pdf when missing (needs root or sudo; apt waits for
# another package manager's lock). A cupsd that is already running is used and left running.

if ! declare -F labelapp_apt_install >/dev/null; then
    # shellcheck source=scripts/install-system-libraries.sh
    source "$(dirname "${BASH_SOURCE[0]}")/../scripts/install-system-libraries.sh"
fi

_labelapp_cups_main() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if ! command -v cupsd >/dev/null 2>&1 || [ ! -e /usr/lib/cups/backend/cups-pdf ]; then
        echo "cups.sh: installing cups and printer-driver-cups-pdf (apt-get)" >&2
        labelapp_apt_install cups cups-client printer-driver-cups-pdf || { echo "cups.sh: cannot install cups" >&2; return 1; }
    fi
    local out=/var/spool/labelapp-cups-pdf
    $sudo mkdir -p "$out" && $sudo chmod 1777 "$out"
    # cups-pdf writes every job into $out, named after the job title.
    printf 'Out %s\nAnonDirName %s\nLabel 1\nGrp lpadmin\nDecodeHexStrings 1\n' "$out" "$out" \
        | $sudo tee /etc/cups/cups-pdf.conf >/dev/null
    if ! lpstat -r 2>/dev/null | grep -q "is running"; then
        # In the foreground (-f) of a background job, so that its pid is known and labelapp_cups_stop
        # stops this daemon and no other.
        $sudo cupsd -f >/dev/null 2>&1 &
        export LABELAPP_TEST_CUPSD_PID=$!
        local _
        for _ in $(seq 1 50); do
            lpstat -r 2>/dev/null | grep -q "is running" && break
            kill -0 "$LABELAPP_TEST_CUPSD_PID" 2>/dev/null || { echo "cups.sh: cupsd did not start" >&2; return 1; }
            sleep 0.2
        done
    fi
    $sudo lpadmin -p labelapp-pdf -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd \
        || { echo "cups.sh: lpadmin failed" >&2; return 1; }
    $sudo cupsenable labelapp-pdf && $sudo cupsaccept labelapp-pdf
    export LABELAPP_TEST_PRINTER=labelapp-pdf
    export LABELAPP_TEST_CUPS_OUT="$out"
    echo "cups.sh: printer labelapp-pdf ready, output in $out" >&2
}

# Stop the cupsd that cups.sh started (none when it found one running).
labelapp_cups_stop() {
    [ -n "${LABELAPP_TEST_CUPSD_PID:-}" ] || return 0
    local sudo="" _
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo kill -TERM "$LABELAPP_TEST_CUPSD_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$LABELAPP_TEST_CUPSD_PID" 2>/dev/null || break; sleep 0.2; done
    wait "$LABELAPP_TEST_CUPSD_PID" 2>/dev/null || true
    echo "cups.sh: cupsd stopped" >&2
    unset LABELAPP_TEST_CUPSD_PID
}

_labelapp_cups_main
