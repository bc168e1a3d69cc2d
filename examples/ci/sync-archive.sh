#!/usr/bin/env bash
# Keeps a flickr-kit account in step with a photo archive, for a nightly CI
# job: uploads what is new (folders become albums), moves what moved, and
# with DELETE=1 deletes photos whose files are gone. Needs FLICKR_SERVER and
# FLICKR_TOKEN (an API token with read, write and, for DELETE=1, delete:
# `flickr-cli tokens create nightly --scopes read,write,delete`).
#
#   sync-archive.sh ARCHIVE_DIR [REPORT_FILE]
#
# Exits as flickr-cli does: 0 all done, 1 some files failed (the report
# lists them), 2 usage, 3 the token was refused, 4 the server is unreachable,
# 5 the server could not process some new photos (the report lists them too).
set -euo pipefail
archive=${1:?usage: sync-archive.sh ARCHIVE_DIR [REPORT_FILE]}
report=${2:-sync-report.ndjson}
: "${FLICKR_SERVER:?set FLICKR_SERVER to the server URL}"
: "${FLICKR_TOKEN:?set FLICKR_TOKEN to an API token}"
cli=${FLICKR_CLI:-flickr-cli}

flags=(--album-per-folder)
if [ "${DELETE:-0}" = 1 ]; then flags+=(--delete); fi

# The plan first, in the log, so a reviewer sees what the run is about to do.
$cli sync push "$archive" "${flags[@]}" --dry-run

set +e
$cli sync push "$archive" "${flags[@]}" --json >"$report"
status=$?
set -e

# The last line of the NDJSON report is the summary.
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  const s = JSON.parse(lines.at(-1));
  if (s.type !== "summary") { console.error(s.message ?? "no summary"); process.exit(0); }
  const c = s.counts;
  console.log(`uploaded ${c.uploaded ?? 0}, moved ${c.moved ?? 0}, deleted ${c.deleted ?? 0}, skipped ${c.skipped ?? 0}, failed ${c.failed ?? 0}; ${s.bytesTransferred} bytes sent`);
  for (const f of s.failures) console.log(`failed: ${f.path ?? f.photoId}: ${f.error}`);
' "$report"
exit "$status"
