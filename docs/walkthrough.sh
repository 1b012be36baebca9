#!/usr/bin/env bash
# A batch from draft to release on the command line, exactly as the issue's "done when" asks.
# Usage: bash docs/walkthrough.sh [DATABASE_URL]   (default: a new SQLite file in a temp folder)
# Passwords here are for this throwaway demonstration register only.
set -euo pipefail
LA=${LA:-labelapp}
work=$(mktemp -d)
export LABELAPP_DATABASE_URL=${1:-sqlite:///$work/register.db}
export LABELAPP_ARCHIVE_DIR=$work/archive
ex=$(dirname "$0")/../examples/glycine-50mg-ml-30ml.json
as() { local user=$1 pw=$2; shift 2; printf '%s\n' "$pw" | LABELAPP_USER=$user $LA "$@" --password-stdin; }

echo "== users (the first admin needs no sign-in; then the admin adds the others)"
printf 'admin-Pass-2026\nadmin-Pass-2026\n' | $LA users add admin --role admin --name "Ada Admin" --password-stdin
for u in "tech:technician:Alex Rivera" "pharm:pharmacist:Sam Chen" "pharm2:pharmacist:Pat Lee" "qa:qa:Quinn Avery"; do
    IFS=: read -r name role full <<<"$u"
    printf 'admin-Pass-2026\n%s-Pass-2026\n%s-Pass-2026\n' "$name" "$name" \
        | LABELAPP_USER=admin $LA users add "$name" --role "$role" --name "$full" --password-stdin
done
echo "== facility settings, formula added by one pharmacist, approved by another"
as admin admin-Pass-2026 settings facility "$ex"
as pharm2 pharm2-Pass-2026 formula add "$ex"
as pharm pharm-Pass-2026 formula approve GLY-50-30 1
echo "== start the batch (the register allocates the lot)"
lot=$(as tech tech-Pass-2026 batch new "$ex" | tee /dev/stderr | grep -o 'G50-[0-9]*-[0-9]*' | head -1)
echo "== receive the component lots (quarantined); QA releases them"
for m in "glycine|GLY24117|Example Chemical Co.|2028-09-30" "water for injection|WFI-2611-07|Example Water Systems|2027-05-31"; do
    IFS='|' read -r ingredient mlot maker expiry <<<"$m"
    id=$(as tech tech-Pass-2026 materials receive --ingredient "$ingredient" --lot "$mlot" --manufacturer "$maker" \
        --expiry "$expiry" | tee /dev/stderr | sed -n 's/^material \([0-9]*\):.*/\1/p')
    as qa qa-Pass-2026 materials release "$id"
done
echo "== execute the batch record: each step as it happens, checked on entry; a second person verifies"
step() { as tech tech-Pass-2026 batch step "$lot" "$@" | tee /dev/stderr; }
verified() { as pharm pharm-Pass-2026 batch verify-step "$(sed -n 's/.*: entry \([0-9]*\):.*/\1/p' | head -1)"; }
grams=$($LA calc "$ex" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["amounts_to_weigh"][0]["theoretical_g"])')
step line-clearance yes | verified
step balance "BAL-0042 2030-03-31"
step glycine-lot GLY24117
step wfi-lot WFI-2611-07
step glycine-weight "$grams" | verified
step compounding-end "$(date -u +%Y-%m-%dT%H:%M+00:00)"
step ph-in-process 5.6
step filter-integrity 55 | verified
step filtration-start "$(date -u +%Y-%m-%dT%H:%M+00:00)"
step fill-check 30.8
step fill-check 30.7
step fill-end "$(date -u +%Y-%m-%dT%H:%M+00:00)"
step inspection "accepted=99 particles=1"
step units-filled 100
echo "== print the labels (archived and counted as issued)"
as tech tech-Pass-2026 batch print "$lot" --labels "$work/labels.pdf" --carton "$work/carton.pdf" --printer demo-printer
echo "== reconcile: 106 + 106 issued; 200 applied, 4 specimens, 8 destroyed"
as tech tech-Pass-2026 batch reconcile "$lot" --applied 200 --specimens 4 --destroyed 8 --returned 0
echo "== sign as technician, verify as pharmacist, release as QA"
as tech tech-Pass-2026 batch sign "$lot" --meaning performed
as pharm pharm-Pass-2026 batch sign "$lot" --meaning verified
echo "== QC results from the lab: pass or fail is computed against the master record's specifications"
for r in "sterility|no growth" "endotoxin|0.5" "ph|5.7" "osmolality|660" "assay|99.1"; do
    IFS='|' read -r spec result <<<"$r"
    as qa qa-Pass-2026 batch qc "$lot" "$spec" "$result" --analyst "Lab Analyst" --tested-on "$(date -u +%F)"
done
as qa qa-Pass-2026 batch steps "$lot"
as qa qa-Pass-2026 batch sign "$lot" --meaning released
echo "== the archive"
as qa qa-Pass-2026 archive search "$lot"
doc=$(as qa qa-Pass-2026 archive search "$lot" --kind batch_record --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo "== reprint with a reason"
as pharm pharm-Pass-2026 archive reprint "$doc" --reason "copy for the customer complaint file" --printer demo-printer --out "$work/reprint.pdf"
echo "== audit verify"
as qa qa-Pass-2026 audit verify
as qa qa-Pass-2026 batch record "$lot" --out "$work/record.pdf"
echo "work folder: $work"
