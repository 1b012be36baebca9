#!/usr/bin/env bash
# Start a CUPS spooler with a PDF printer for the printing tests; exports LABELAPP_TEST_PRINTER and
# LABELAPP_TEST_CUPS_OUT (the folder where the printed PDFs arrive).
#   source .ci/cups.sh
# Installs Debian's cups and printer-driver-cups-pdf when missing (needs root or sudo).

_labelapp_cups_main() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if ! command -v cupsd >/dev/null 2>&1 || [ ! -e /usr/lib/cups/backend/cups-pdf ]; then
        echo "cups.sh: installing cups and printer-driver-cups-pdf (apt-get)" >&2
        $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
            cups cups-client printer-driver-cups-pdf >&2 || { echo "cups.sh: cannot install cups" >&2; return 1; }
    fi
    local out=/var/spool/labelapp-cups-pdf
    $sudo mkdir -p "$out" && $sudo chmod 1777 "$out"
    # cups-pdf writes every job into $out, named after the job title.
    printf 'Out %s\nAnonDirName %s\nLabel 1\nGrp lpadmin\nDecodeHexStrings 1\n' "$out" "$out" \
        | $sudo tee /etc/cups/cups-pdf.conf >/dev/null
    if ! lpstat -r 2>/dev/null | grep -q "is running"; then
        $sudo cupsd || { echo "cups.sh: cupsd did not start" >&2; return 1; }
        local i
        for i in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.2; done
    fi
    $sudo lpadmin -p labelapp-pdf -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd \
        || { echo "cups.sh: lpadmin failed" >&2; return 1; }
    $sudo cupsenable labelapp-pdf && $sudo cupsaccept labelapp-pdf
    export LABELAPP_TEST_PRINTER=labelapp-pdf
    export LABELAPP_TEST_CUPS_OUT="$out"
    echo "cups.sh: printer labelapp-pdf ready, output in $out" >&2
}

_labelapp_cups_main
